using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Ecr.Tests.Aws;

/// <summary>
/// The transport only: answers each request with the next scripted response (or failure) and records what was
/// sent. The real ECR behaviour is tested against moto elsewhere.
/// </summary>
internal sealed class StubHttpHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    public ConcurrentQueue<SentRequest> Requests { get; } = new();

    public int Attempts => Requests.Count;

    public StubHttpHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond)
    {
        _script.Enqueue(respond);
        return this;
    }

    public StubHttpHandler ThenJson(HttpStatusCode status, string json, string? errorTypeHeader = null)
        => Then((_, _) => Task.FromResult(Json(status, json, errorTypeHeader)));

    public StubHttpHandler ThenError(HttpStatusCode status, string type, string message)
        => ThenJson(status, $$"""{"__type":"{{type}}","message":"{{message}}"}""");

    public StubHttpHandler ThenBody(HttpStatusCode status, string body, string mediaType)
        => Then((_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) }));

    public StubHttpHandler ThenThrow(Exception exception)
        => Then((_, _) => Task.FromException<HttpResponseMessage>(exception));

    /// <summary>Never answers: only the caller's timeout or cancellation ends the wait.</summary>
    public StubHttpHandler ThenHang()
        => Then(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string? errorTypeHeader = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.1") };
        if (errorTypeHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", errorTypeHeader);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new SentRequest(request.Method, request.RequestUri!, headers, body));
        if (!_script.TryDequeue(out var respond))
        {
            throw new InvalidOperationException($"The stub has no answer left for request {Requests.Count}.");
        }

        return await respond(request, cancellationToken);
    }
}

internal sealed record SentRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body);

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// A plain-HTTP stand-in placed in front of moto (the ECR API) through <c>AWS_ENDPOINT_URL_ECR</c>, and in front of
/// moto's STS through <c>AWS_ENDPOINT_URL_STS</c>: it counts every call by operation, attempt and signing region, and
/// either forwards it to moto or answers with an injected fault (throttling, 5xx). One request per connection (it
/// answers <c>Connection: close</c>), which keeps the parsing minimal. Listens on 127.0.0.1 only; records no header
/// value or body, only the operation (an STS call's Action) and the signing region.
/// </summary>
internal sealed class EcrApiFront : IAsyncDisposable
{
    private readonly Uri _upstream;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentQueue<EcrApiCall> _calls = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConnectionLoop _loop;
    private readonly SemaphoreSlim _createGate = new(1, 1);
    private readonly TaskCompletionSource _createsArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _callCount;
    private int _createCount;

    public EcrApiFront(Uri upstream)
    {
        _upstream = upstream;
        _loop = new ConnectionLoop(new IPEndPoint(IPAddress.Loopback, 0), HandleAsync);
        Endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_loop.LocalEndPoint.Port}"));
    }

    /// <summary>Where the client should send its ECR calls: <c>http://127.0.0.1:port</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The fault for a call, or null to forward it to moto. Default: forward every call.</summary>
    public Func<EcrApiCall, EcrApiFault?> Faults { get; set; } = static _ => null;

    /// <summary>
    /// A fault answered after the call went to moto and moto carried it out: an answer lost on its way back (a timeout,
    /// a reset, a 5xx from a load balancer), which the client retries. Null (or a null fault): moto's answer.
    /// </summary>
    public Func<EcrApiCall, EcrApiFault?> AfterForward { get; set; } = static _ => null;

    /// <summary>Every call, in arrival order, with the status it was answered with.</summary>
    public IReadOnlyList<EcrApiCall> Calls => [.. _calls.OrderBy(c => c.Number)];

    public int Count(string operation) => _calls.Count(c => c.Operation == operation);

    /// <summary>
    /// Holds CreateRepository calls until this many have come (or <see cref="CreateHoldLimit"/> passed), then forwards
    /// them one at a time. moto's create is not atomic (measured: three of five concurrent creates of one name
    /// succeeded), ECR's is; held and serialized, the race is ECR's, and always happens: one create wins, the others
    /// get RepositoryAlreadyExistsException. Null: forward each at once.
    /// </summary>
    public int? HoldCreatesUntil { get; set; }

    public TimeSpan CreateHoldLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// moto's tokens say they expired in 2015, so no cached token is ever reused. When set, GetAuthorizationToken
    /// answers say they expire this long from now, as ECR's (12 hours) do. Null: moto's answer as it is.
    /// </summary>
    public TimeSpan? TokenLifetime { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync();
        _http.Dispose();
        _createGate.Dispose();
    }

    private async Task HandleAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var (head, body) = await ReadRequestAsync(stream, _loop.Stopping);
        if (head is null)
        {
            return;
        }

        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        string? Header(string name) => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

        var target = Header("X-Amz-Target") ?? string.Empty;
        var operation = target.Contains('.', StringComparison.Ordinal) ? target[(target.LastIndexOf('.') + 1)..] : QueryAction(Header("Content-Type"), body) ?? "(none)";
        var attempt = ParseAttempt(Header("amz-sdk-request"));
        var number = Interlocked.Increment(ref _callCount);
        var call = new EcrApiCall(number, operation, attempt, 0, _clock.Elapsed) { Region = CredentialScopeRegion(Header("Authorization")) };

        if (Faults(call) is { } fault)
        {
            _calls.Enqueue(call with { Status = fault.Status, Injected = true });
            var extra = fault.ErrorType is null ? string.Empty : $"x-amzn-ErrorType: {fault.ErrorType}\r\n";
            await WriteResponseAsync(stream, fault.Status, fault.ContentType, extra, Encoding.UTF8.GetBytes(fault.Body));
            return;
        }

        // The path of the request target, whether the client sent it in origin form or (to a proxy) absolute form.
        var path = requestLine.Length > 1 && Uri.TryCreate(requestLine[1], UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : requestLine.ElementAtOrDefault(1) ?? "/";
        using var forward = new HttpRequestMessage(new HttpMethod(requestLine[0]), new Uri(_upstream, path)) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                forward.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (!IsHopByHop(name))
            {
                forward.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var serialize = operation == "CreateRepository" && HoldCreatesUntil is { } expected;
        if (serialize)
        {
            if (Interlocked.Increment(ref _createCount) >= HoldCreatesUntil)
            {
                _createsArrived.TrySetResult();
            }

            await _createsArrived.Task.WaitAsync(CreateHoldLimit, _loop.Stopping).ContinueWith(static _ => { }, TaskScheduler.Default);
            await _createGate.WaitAsync(_loop.Stopping);
        }

        HttpResponseMessage response;
        byte[] responseBody;
        try
        {
            response = await _http.SendAsync(forward, _loop.Stopping);
            responseBody = await response.Content.ReadAsByteArrayAsync(_loop.Stopping);
        }
        finally
        {
            if (serialize)
            {
                _createGate.Release();
            }
        }

        using var disposeResponse = response;
        if (AfterForward(call) is { } lost)
        {
            _calls.Enqueue(call with { Status = lost.Status, Injected = true, ErrorType = (int)response.StatusCode >= 400 ? ErrorTypeOf(responseBody) : null });
            var extra = lost.ErrorType is null ? string.Empty : $"x-amzn-ErrorType: {lost.ErrorType}\r\n";
            await WriteResponseAsync(stream, lost.Status, lost.ContentType, extra, Encoding.UTF8.GetBytes(lost.Body));
            return;
        }

        if (operation == "GetAuthorizationToken" && TokenLifetime is { } lifetime && response.IsSuccessStatusCode)
        {
            responseBody = WithExpiry(responseBody, DateTimeOffset.UtcNow + lifetime);
        }

        _calls.Enqueue(call with { Status = (int)response.StatusCode, ErrorType = (int)response.StatusCode >= 400 ? ErrorTypeOf(responseBody) : null });
        var extraHeaders = new StringBuilder();
        foreach (var header in response.Headers.Where(h => h.Key.StartsWith("x-amz", StringComparison.OrdinalIgnoreCase)))
        {
            extraHeaders.Append(CultureInfo.InvariantCulture, $"{header.Key}: {string.Join(",", header.Value)}\r\n");
        }

        await WriteResponseAsync(stream, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "application/x-amz-json-1.1", extraHeaders.ToString(), responseBody);
    }

    private static byte[] WithExpiry(byte[] body, DateTimeOffset expiresAt)
    {
        var answer = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        foreach (var data in answer["authorizationData"]!.AsArray())
        {
            data!["expiresAt"] = expiresAt.ToUnixTimeSeconds();
        }

        return Encoding.UTF8.GetBytes(answer.ToJsonString());
    }

    /// <summary>The AWS error code of an error answer (<c>"__type":"…"</c>); read from error answers only, which carry no secret.</summary>
    private static string? ErrorTypeOf(byte[] body)
    {
        var match = System.Text.RegularExpressions.Regex.Match(Encoding.UTF8.GetString(body), "\"__type\"\\s*:\\s*\"(?:[^\"#]*#)?([^\"]+)\"");
        return match.Success ? match.Groups[1].Value : null;
    }

    private static bool IsHopByHop(string name)
        => name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Via", StringComparison.OrdinalIgnoreCase);

    /// <summary>The operation of a query-protocol call (STS: <c>Action=AssumeRole&amp;…</c> in a form body); the other parameters are not read.</summary>
    private static string? QueryAction(string? contentType, byte[] body)
    {
        if (contentType is null || !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Encoding.UTF8.GetString(body).Split('&')
            .Where(pair => pair.StartsWith("Action=", StringComparison.Ordinal))
            .Select(pair => Uri.UnescapeDataString(pair["Action=".Length..]))
            .FirstOrDefault();
    }

    /// <summary>The region of the signature's credential scope (<c>Credential=AKID/20260101/us-east-1/sts/aws4_request</c>): where the call was signed for.</summary>
    private static string? CredentialScopeRegion(string? authorization)
    {
        var match = authorization is null ? null : System.Text.RegularExpressions.Regex.Match(authorization, "Credential=[^/,]+/[0-9]+/([a-z0-9-]+)/");
        return match is { Success: true } ? match.Groups[1].Value : null;
    }

    private static int ParseAttempt(string? value)
    {
        // amz-sdk-request: attempt=2; max=3
        const string Prefix = "attempt=";
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return 0;
        }

        var end = value.IndexOf(';', StringComparison.Ordinal);
        return int.TryParse(end < 0 ? value[Prefix.Length..] : value[Prefix.Length..end], CultureInfo.InvariantCulture, out var attempt) ? attempt : 0;
    }

    private static async Task WriteResponseAsync(Stream stream, int status, string contentType, string extraHeaders, byte[] body)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n{extraHeaders}Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    private static async Task<(string? Head, byte[] Body)> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        var headEnd = -1;
        while (headEnd < 0)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0 || buffer.Length > 1024 * 1024)
            {
                return (null, []);
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
            headEnd = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).IndexOf("\r\n\r\n", StringComparison.Ordinal);
        }

        var all = buffer.ToArray();
        var head = Encoding.ASCII.GetString(all, 0, headEnd);
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
        var body = new MemoryStream();
        await body.WriteAsync(all.AsMemory(headEnd + 4), cancellationToken);
        while (body.Length < length)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return (null, []);
            }

            await body.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return (head, body.ToArray());
    }
}

/// <summary>
/// One call as the front saw it: number (1 for the first), operation, the client's attempt number, the status
/// answered, when; whether the front made the answer up, and moto's error type if it answered with one.
/// </summary>
internal sealed record EcrApiCall(int Number, string Operation, int Attempt, int Status, TimeSpan At)
{
    public bool Injected { get; init; }

    /// <summary>The region the call was signed for; null when it was not signed.</summary>
    public string? Region { get; init; }

    public string? ErrorType { get; init; }
}

/// <summary>An answer the front gives instead of moto's.</summary>
internal sealed record EcrApiFault(int Status, string Body, string ContentType, string? ErrorType)
{
    /// <summary>What ECR answers when a caller exceeds its request rate.</summary>
    public static EcrApiFault Throttling { get; } = new(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", "application/x-amz-json-1.1", "ThrottlingException");

    /// <summary>ECR's own internal error.</summary>
    public static EcrApiFault ServerError { get; } = new(500, """{"__type":"ServerException","message":"We encountered an internal error. Please try again."}""", "application/x-amz-json-1.1", "ServerException");

    /// <summary>A load balancer in the way that has no healthy target: HTML, not AWS JSON.</summary>
    public static EcrApiFault Unavailable { get; } = new(503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "text/html", null);
}

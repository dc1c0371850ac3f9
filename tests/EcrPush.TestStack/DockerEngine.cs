using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Ecr.TestStack;

/// <summary>
/// The few calls of the Docker Engine API that the stack makes itself (ping, image load), spoken over the engine's
/// unix socket with plain HTTP, so that the stack needs no Docker client library.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    private static readonly Uri PingUri = new("_ping", UriKind.Relative);
    private static readonly Uri LoadUri = new("images/load?quiet=1", UriKind.Relative);

    private readonly HttpClient _http;

    /// <summary>Prepares a client for the engine listening on <paramref name="socketPath"/>.</summary>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The HttpClient owns the handler.")]
    public DockerEngine(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            // Every request goes to the socket; the URI's host name is only a placeholder.
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://docker.engine/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Succeeds when the engine answers <c>/_ping</c>.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(PingUri, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Loads an image archive (the format of <c>docker save</c>) and checks that <paramref name="reference"/> now
    /// names image <paramref name="imageId"/>.
    /// </summary>
    public async Task LoadAsync(Stream archive, string reference, string imageId, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using (var response = await _http.PostAsync(LoadUri, content, cancellationToken).ConfigureAwait(false))
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(
                    $"The engine refused to load {reference}: {(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}");
            }

            // The answer is a stream of JSON messages; a failure is reported in it, after a 200 status.
            foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                using var message = JsonDocument.Parse(line);
                if (message.RootElement.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"Loading {reference} failed: {error.GetString()}");
                }
            }
        }

        using var inspection = await _http.GetAsync(new Uri($"images/{reference}/json", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var image = await inspection.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? actualId = null;
        if (inspection.IsSuccessStatusCode)
        {
            using var details = JsonDocument.Parse(image);
            actualId = details.RootElement.GetProperty("Id").GetString();
        }

        if (!string.Equals(actualId, imageId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"After loading, {reference} names {actualId ?? "nothing"} instead of {imageId}: {(int)inspection.StatusCode} {image.Trim()}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

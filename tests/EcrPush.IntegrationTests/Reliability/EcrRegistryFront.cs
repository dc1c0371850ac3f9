using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// A front that answers the way ECR's registry does where it differs from docker-registry, for the engine-free push:
/// it listens on a loopback port of its own (the library's test handler hook connects there), terminates TLS with the
/// registry's certificate, and passes each request on to the stand-in's registry (its gateway) as it is, except where
/// a behaviour switched on below applies. Each behaviour is ECR's as other clients met it; the sources are named on
/// each. One request per connection: every answer carries <c>Connection: close</c>.
/// </summary>
internal sealed partial class EcrRegistryFront : IAsyncDisposable
{
    private const int EcrMinimumPartSize = 5 * 1024 * 1024;
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly LocalEcrStack _stack;
    private readonly string _region;
    private readonly X509Certificate2 _certificate;
    private readonly ConnectionLoop _loop;
    private readonly ConcurrentQueue<EcrFrontRequest> _requests = new();
    private readonly ConcurrentDictionary<string, long> _lastPart = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _firstRange = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _partCount = new(StringComparer.Ordinal);

    public EcrRegistryFront(LocalEcrStack stack, string region)
    {
        _stack = stack;
        _region = region;
        _certificate = stack.CreateRegistryCertificate(region);
        _loop = new ConnectionLoop(new IPEndPoint(IPAddress.Loopback, 0), HandleAsync);
    }

    /// <summary>Where the front listens.</summary>
    public IPEndPoint EndPoint => _loop.LocalEndPoint;

    /// <summary>
    /// A PATCH is answered 201 instead of 202 (dotnet/sdk-container-builds#279), and its <c>Range</c> stays at the first
    /// part's although each part is stored (aws/containers-roadmap#2831).
    /// </summary>
    public bool PatchAnsweredCreatedWithStuckRange { get; set; }

    /// <summary>
    /// A part that follows a part under 5 MiB of the same upload (that one was not the last) is refused with ECR's
    /// LayerPartTooSmallException (dotnet/sdk-container-builds#424), and so is a completing PUT with a body after one.
    /// </summary>
    public bool RefusesSmallParts { get; set; }

    /// <summary>An OCI manifest without a top-level <c>mediaType</c> is refused 405 (containers/image#584).</summary>
    public bool RefusesManifestsWithoutMediaType { get; set; }

    /// <summary>A manifest PUT's answer has neither <c>Location</c> nor <c>Docker-Content-Digest</c> (aws/containers-roadmap#1931).</summary>
    public bool ManifestAnswersWithoutLocationOrDigest { get; set; }

    /// <summary>
    /// Repositories that do not exist: ECR resets the connection of an upload POST into one, with no answer
    /// (aws/containers-roadmap#1970, dotnet/sdk-container-builds#279).
    /// </summary>
    public Func<string, bool> IsMissingRepository { get; set; } = static _ => false;

    /// <summary>An upload request (POST, PATCH, PUT under <c>/blobs/uploads/</c>) is taken and never answered, until the front stops: a destination held in the middle of its push.</summary>
    public bool HoldsUploads { get; set; }

    /// <summary>
    /// A cross-repository mount (<c>POST …/blobs/uploads/?mount=…&amp;from=…</c>) is answered 202 with an upload session, as
    /// ECR does without the account's BLOB_MOUNTING setting (aws/containers-roadmap#2860): the request goes on as a plain POST.
    /// </summary>
    public bool AnswersMountsWithSession { get; set; }

    /// <summary>Runs when a manifest PUT has arrived, before it goes on: another writer acting at that very moment. Null: nothing.</summary>
    public Func<string, Task>? BeforeManifestPut { get; set; }

    /// <summary>The PATCH that carries this part (1 for the first) of an upload is taken and never answered, until the front stops. Null: none.</summary>
    public int? HoldsPart { get; set; }

    /// <summary>Every request seen, in arrival order, with the status the client got (0: the connection was reset).</summary>
    public IReadOnlyList<EcrFrontRequest> Requests => [.. _requests];

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync();
        _certificate.Dispose();
    }

    // /v2/<name>/blobs/uploads/[<id>]: a name has path components.
    [GeneratedRegex("^/v2/(?<name>.+)/blobs/uploads/(?<id>[^/?]*)", RegexOptions.CultureInvariant)]
    private static partial Regex UploadPath();

    [GeneratedRegex("^/v2/(?<name>.+)/manifests/[^/?]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ManifestPath();

    private static void Reset(Socket socket)
    {
        // Linger 0 makes Close send RST: "connection reset by peer", as ECR ends an upload into a missing repository.
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    private static async Task AnswerAsync(Stream client, int status, string reason, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await client.WriteAsync(head, cancellationToken);
        await client.WriteAsync(body, cancellationToken);
        await client.FlushAsync(cancellationToken);
    }

    private async Task HandleAsync(Socket socket)
    {
        socket.NoDelay = true;
        var stopping = _loop.Stopping;
        var client = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await using var owned = client;
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            handshake.CancelAfter(HandshakeTimeout);
            await client.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = _certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] },
                handshake.Token);
        }

        var head = await HttpRequestHead.ReadAsync(client, stopping);
        if (head is null)
        {
            return;
        }

        long? length = long.TryParse(head.Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        var request = new EcrFrontRequest(head.Method, head.Target, length);
        _requests.Enqueue(request);
        var upload = UploadPath().Match(head.Path);
        var body = head.BodyStart.ToArray();

        if (head.Method == "POST" && upload.Success && IsMissingRepository(upload.Groups["name"].Value))
        {
            Reset(socket);
            return;
        }

        if (HoldsUploads && upload.Success)
        {
            await Task.Delay(Timeout.Infinite, stopping);
        }

        var session = upload.Success ? upload.Groups["id"].Value : string.Empty;
        if (head.Method == "PATCH" && upload.Success && _partCount.AddOrUpdate(session, 1, static (_, count) => count + 1) == HoldsPart)
        {
            // Read what comes, so that the client's writes do not block: only the answer never comes.
            await CopyAsync(client, Stream.Null, long.MaxValue, stopping);
            await Task.Delay(Timeout.Infinite, stopping);
        }

        if (RefusesSmallParts && upload.Success && session.Length > 0 && (head.Method == "PATCH" || (head.Method == "PUT" && length > 0)) &&
            _lastPart.TryGetValue(session, out var previous) && previous < EcrMinimumPartSize)
        {
            // CloudTrail's record of the refusal (dotnet/sdk-container-builds#424) names the exception and this message;
            // the registry's status for it is not recorded there: 400 with the distribution error form.
            request.Status = 400;
            await AnswerAsync(client, 400, "Bad Request", $$"""{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"LayerPartTooSmallException: All layer parts except the last part should be at least 5MB (the part before was {{previous}} bytes)"}]}""", stopping);

            // Read what the client still sends, so that it gets the answer and not a reset.
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            drain.CancelAfter(TimeSpan.FromSeconds(5));
            await CopyAsync(client, Stream.Null, (length ?? 0) - head.BodyStart.Length, drain.Token);
            return;
        }

        if (await AnswersReferrersAsync(client, head, request, stopping))
        {
            return;
        }

        var isManifestPut = head.Method == "PUT" && ManifestPath().IsMatch(head.Path);
        if (isManifestPut && (RefusesManifestsWithoutMediaType || WatchesReferrers) && length is > 0 and <= MaxManifestBytes)
        {
            Array.Resize(ref body, (int)length.Value);
            await client.ReadExactlyAsync(body.AsMemory(head.BodyStart.Length), stopping);
            using var manifest = JsonDocument.Parse(body);
            if (RefusesManifestsWithoutMediaType && !manifest.RootElement.TryGetProperty("mediaType", out _))
            {
                request.Status = 405;
                await AnswerAsync(client, 405, "Method Not Allowed", """{"errors":[{"code":"UNSUPPORTED","message":"Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"}]}""", stopping);
                return;
            }

            if (await RefusesMediaTypeAsync(client, manifest.RootElement, request, stopping))
            {
                return;
            }
        }

        if (isManifestPut && BeforeManifestPut is { } before)
        {
            await before(head.Path);
        }

        var forward = head.Rewrite(["Connection"], [new("Connection", "close")]);
        if (AnswersMountsWithSession && head.Method == "POST" && upload.Success && head.Target.Contains("mount=", StringComparison.Ordinal))
        {
            // The same head with the query dropped from its request line.
            var text = Encoding.Latin1.GetString(forward);
            forward = Encoding.Latin1.GetBytes($"POST {head.Path} HTTP/1.1{text[text.IndexOf("\r\n", StringComparison.Ordinal)..]}");
        }

        await ForwardAsync(client, forward, body, length, answer =>
        {
            answer = Rewrite(answer);
            request.Status = answer.Status;
            return answer;
        });

        AnswerHead Rewrite(AnswerHead answer)
        {
            if (head.Method == "PATCH" && upload.Success && answer.Status is 202)
            {
                if (length is { } part)
                {
                    _lastPart[session] = part;
                }

                if (PatchAnsweredCreatedWithStuckRange)
                {
                    var range = answer.Header("Range");
                    var first = range is null ? null : _firstRange.GetOrAdd(session, range);
                    answer = answer with { Status = 201, Reason = "Created" };
                    return first is null ? answer : answer.Without("Range").With("Range", first);
                }
            }

            answer = isManifestPut ? Referred(answer, head.Path, body) : answer;
            return isManifestPut && ManifestAnswersWithoutLocationOrDigest ? answer.Without("Location").Without("Docker-Content-Digest") : answer;
        }
    }

    /// <summary>Sends the request on, then the answer back with its head changed by <paramref name="rewrite"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2025:Ensure tasks using IDisposable instances complete before the instances are disposed", Justification = "The body's copy is awaited in the finally block, before the streams go.")]
    private async Task ForwardAsync(SslStream client, byte[] head, byte[] bodyStart, long? length, Func<AnswerHead, AnswerHead> rewrite)
    {
        var stopping = _loop.Stopping;
        var registry = await _stack.ConnectRegistryAsync(_region, stopping);
        await using var owned = registry;
        await registry.WriteAsync(head, stopping);
        await registry.WriteAsync(bodyStart, stopping);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var rest = (length ?? 0) - bodyStart.Length;
        var up = rest > 0 ? SendBodyAsync() : Task.CompletedTask;
        try
        {
            var (answer, answerBody) = await AnswerHead.ReadAsync(registry, stopping);
            answer = rewrite(answer).Without("Connection").With("Connection", "close");
            await client.WriteAsync(answer.ToBytes(), stopping);
            await client.WriteAsync(answerBody, stopping);
            await registry.CopyToAsync(client, stopping);
            await client.FlushAsync(stopping);
        }
        finally
        {
            await done.CancelAsync();
            try
            {
                await up;
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The answer came before the whole body (a refusal), or the client left.
            }
        }

        // A client that leaves in the middle of its body (a blob that failed its digest check) leaves the registry the
        // same way, so that the registry's answer, and this request, end.
        async Task SendBodyAsync()
        {
            try
            {
                if (await CopyAsync(client, registry, rest, done.Token) == 0)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException)
            {
                // Fall through to closing the registry's side.
            }

            await registry.DisposeAsync();
        }
    }

    /// <summary>Copies up to <paramref name="count"/> bytes; returns how many of them did not come (the sender closed first).</summary>
    private static async Task<long> CopyAsync(Stream from, Stream to, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                return count;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }

        await to.FlushAsync(cancellationToken);
        return 0;
    }
}

/// <summary>
/// One request through <see cref="EcrRegistryFront"/>: method, target, Content-Length, and the status the client got (0:
/// none, a reset or no answer). Listed when it arrives; its status is set before the answer goes out, so that a client
/// that has its answer finds it listed with it.
/// </summary>
internal sealed record EcrFrontRequest(string Method, string Target, long? ContentLength)
{
    private int _status;

    public int Status { get => Volatile.Read(ref _status); set => Volatile.Write(ref _status, value); }

    public bool IsPart => Method == "PATCH" && Target.Contains("/blobs/uploads/", StringComparison.Ordinal);

    public bool IsManifestPut => Method == "PUT" && Target.Contains("/manifests/", StringComparison.Ordinal);

    public bool IsMount => Method == "POST" && Target.Contains("/blobs/uploads/?mount=", StringComparison.Ordinal);

    /// <summary>A blob's bytes: a PATCH, or a PUT that carries a body, under <c>/blobs/uploads/</c>.</summary>
    public bool IsBlobUpload => (Method == "PATCH" || (Method == "PUT" && ContentLength > 0)) && Target.Contains("/blobs/uploads/", StringComparison.Ordinal);
}

/// <summary>The head of an HTTP/1.1 answer: status, reason and headers, to change and write again.</summary>
internal sealed record AnswerHead(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public AnswerHead Without(string name) => this with { Headers = [.. Headers.Where(h => !string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))] };

    public AnswerHead With(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };

    public byte[] ToBytes()
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {Reason}\r\n"));
        foreach (var (name, value) in Headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>Reads up to the end of an answer's head; returns it and the body bytes that came with it.</summary>
    public static async Task<(AnswerHead Head, byte[] BodyStart)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The registry closed the connection before its answer's head.");
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            var end = bytes.IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.Latin1.GetString(bytes[..end]).Split("\r\n");
                var status = lines[0].Split(' ', 3);
                var headers = lines.Skip(1).Select(line => line.Split(':', 2)).Where(p => p.Length == 2).Select(p => new KeyValuePair<string, string>(p[0].Trim(), p[1].Trim())).ToList();
                return (new AnswerHead(int.Parse(status[1], CultureInfo.InvariantCulture), status.Length > 2 ? status[2] : string.Empty, headers), bytes[(end + 4)..].ToArray());
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Sits between the engine and one region's registry of a stack started with
/// <see cref="LocalEcrStackOptions.FrontRegistries"/>: terminates TLS with the registry's own certificate, reads the
/// request line, and then forwards the bytes as they are to the registry as the stack serves it (its gateway), or
/// injects a fault chosen per request. The engine's
/// registry client opens one connection per request (keep-alives off), so a connection is a request here, and a
/// fault can aim at layer uploads (PATCH) alone. Listens on loopback only.
/// </summary>
internal sealed class RegistryFront : IAsyncDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainAfterAnswer = TimeSpan.FromSeconds(2);

    private readonly LocalEcrStack _stack;
    private readonly string _region;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<FrontRequest> _requests = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConnectionLoop _loop;
    private int _requestCount;
    private long _uploadedBytes;

    public RegistryFront(LocalEcrStack stack, string region)
    {
        _stack = stack;
        _region = region;
        _certificate = stack.CreateRegistryCertificate(region);
        _loop = new ConnectionLoop(stack.EngineRegistryEndPoint(region), HandleAsync);
    }

    /// <summary>What to do with each request; decided when its request line has arrived. Default: pass it on.</summary>
    public Func<FrontRequest, FrontFault> Faults { get; set; } = static _ => FrontFault.Pass;

    /// <summary>
    /// Runs when a request's head has arrived, before it goes on (or its fault applies): another writer acting at that
    /// very moment, e.g. between a push's check of a tag and its manifest PUT. Null: nothing.
    /// </summary>
    public Func<FrontRequest, Task>? BeforeForward { get; set; }

    /// <summary>Limits each connection's upload (engine to registry) to this many bytes per second; null for no limit.</summary>
    public int? UploadBytesPerSecond { get; set; }

    /// <summary>Every request seen, in arrival order.</summary>
    public IReadOnlyList<FrontRequest> Requests => [.. _requests];

    /// <summary>Bytes sent on to the registry by the engine (request heads and bodies), across connections.</summary>
    public long UploadedBytes => Interlocked.Read(ref _uploadedBytes);

    /// <summary>Puts the front back to plain forwarding, and forgets the requests seen so far.</summary>
    public void Reset()
    {
        Faults = static _ => FrontFault.Pass;
        BeforeForward = null;
        UploadBytesPerSecond = null;
        _requests.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync();
        _certificate.Dispose();
    }

    private static void Reset(Socket socket)
    {
        // Linger 0 makes Close send RST, which the engine sees as "connection reset by peer".
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already gone.
        }

        socket.Dispose();
    }

    private async Task HandleAsync(Socket client)
    {
        client.NoDelay = true;
        var tls = new SslStream(new NetworkStream(client, ownsSocket: false));
        SslStream? upstream = null;
        try
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_loop.Stopping))
            {
                handshake.CancelAfter(HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions { ServerCertificate = _certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] },
                    handshake.Token);
            }

            var head = await HttpRequestHead.ReadAsync(tls, _loop.Stopping);
            if (head is null)
            {
                return;
            }

            var request = new FrontRequest(Interlocked.Increment(ref _requestCount), head.Method, head.Target, _clock.Elapsed);
            _requests.Enqueue(request);
            if (BeforeForward is { } before)
            {
                await before(request);
            }

            var fault = Faults(request);
            switch (fault.Kind)
            {
                case FaultKind.Answer:
                    var text = $"injected {fault.Status}";
                    var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {fault.Status} {(HttpStatusCode)fault.Status}\r\nContent-Type: text/plain\r\nContent-Length: {text.Length}\r\nConnection: close\r\n\r\n{text}");
                    await tls.WriteAsync(answer, _loop.Stopping);
                    await tls.FlushAsync(_loop.Stopping);
                    await DrainAsync(tls, DrainAfterAnswer, _loop.Stopping);
                    return;
                case FaultKind.Hang:
                    await DrainAsync(tls, Timeout.InfiniteTimeSpan, _loop.Stopping);
                    return;
                case FaultKind.Reset when fault.AfterBytes <= 0:
                    Reset(client);
                    return;
            }

            upstream = await _stack.ConnectRegistryAsync(_region, _loop.Stopping);
            await ForwardAsync(client, tls, upstream, head.Bytes.ToArray(), fault.Kind == FaultKind.Reset ? fault.AfterBytes : long.MaxValue);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // A connection the engine dropped, or the front stopping: nothing to report.
        }
        finally
        {
            if (upstream is not null)
            {
                await upstream.DisposeAsync();
            }

            await tls.DisposeAsync();
            client.Dispose();
        }
    }

    private async Task ForwardAsync(Socket client, SslStream tls, SslStream upstream, byte[] head, long resetAfter)
    {
        var done = CancellationTokenSource.CreateLinkedTokenSource(_loop.Stopping);
        try
        {
            var link = new Link(client, tls, upstream);
            Task[] pumps = [PumpUpAsync(link, head, resetAfter, done.Token), PumpAsync(link, done.Token)];
            if (await Task.WhenAny(pumps) == pumps[0])
            {
                // The engine finished sending (or was reset); the answer may still come, until the registry closes.
                await Observe(pumps[1]);
            }

            await done.CancelAsync();
            await Task.WhenAll(pumps.Select(Observe));
        }
        finally
        {
            done.Dispose();
        }
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side closed while the other was still at work.
        }
    }

    private static async Task DrainAsync(Stream stream, TimeSpan limit, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(limit);
        var chunk = new byte[16 * 1024];
        try
        {
            while (await stream.ReadAsync(chunk, timeout.Token) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The engine gave up, or the limit passed.
        }
    }

    private async Task PumpUpAsync(Link link, byte[] head, long resetAfter, CancellationToken cancellationToken)
    {
        var (client, from, to) = (link.Client, link.Engine, link.Registry);
        var clock = Stopwatch.StartNew();
        var sent = 0L;

        // Small reads, so that a rate limit is smooth and a reset lands close to its byte count.
        var chunk = new byte[UploadBytesPerSecond is { } limit ? Math.Clamp(limit / 20, 512, 16 * 1024) : 16 * 1024];
        var pending = head.AsMemory();
        while (true)
        {
            if (sent + pending.Length > resetAfter)
            {
                var allowed = (int)Math.Max(0, resetAfter - sent);
                await to.WriteAsync(pending[..allowed], cancellationToken);
                await to.FlushAsync(cancellationToken);
                Interlocked.Add(ref _uploadedBytes, allowed);
                Reset(client);
                return;
            }

            if (UploadBytesPerSecond is { } rate)
            {
                // No faster than the rate, measured from the connection's start.
                var due = TimeSpan.FromSeconds((sent + pending.Length) / (double)rate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, cancellationToken);
                }
            }

            await to.WriteAsync(pending, cancellationToken);
            await to.FlushAsync(cancellationToken);
            sent += pending.Length;
            Interlocked.Add(ref _uploadedBytes, pending.Length);

            var read = await from.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return;
            }

            pending = chunk.AsMemory(0, read);
        }
    }

    private static async Task PumpAsync(Link link, CancellationToken cancellationToken)
    {
        var (from, to) = (link.Registry, link.Engine);
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return;
            }

            await to.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
            await to.FlushAsync(cancellationToken);
        }
    }
}

/// <summary>One forwarded connection: the engine's socket and TLS stream, and the TLS stream to the registry.</summary>
internal sealed record Link(Socket Client, Stream Engine, Stream Registry);

/// <summary>One request through the front: its number (1 for the first), method, path, and when it came.</summary>
internal sealed record FrontRequest(int Number, string Method, string Path, TimeSpan At)
{
    /// <summary>A layer's (or config's) bytes: the engine sends each blob in one PATCH.</summary>
    public bool IsBlobUpload => Method == "PATCH" && Path.Contains("/blobs/uploads/", StringComparison.Ordinal);

    public bool IsManifestPut => Method == "PUT" && Path.Contains("/manifests/", StringComparison.Ordinal);
}

internal enum FaultKind
{
    Pass,
    Answer,
    Reset,
    Hang,
}

/// <summary>What the front does with one request.</summary>
internal readonly record struct FrontFault(FaultKind Kind, int Status = 0, long AfterBytes = 0)
{
    public static FrontFault Pass => default;

    /// <summary>Accepts the request and never answers (reads whatever comes, so the engine's writes do not block).</summary>
    public static FrontFault Hang => new(FaultKind.Hang);

    /// <summary>Answers with this status (text body) instead of the registry.</summary>
    public static FrontFault Answer(int status) => new(FaultKind.Answer, status);

    /// <summary>Forwards, then resets the connection once more than <paramref name="bytes"/> bytes came from the engine (0: at once).</summary>
    public static FrontFault ResetAfter(long bytes) => new(FaultKind.Reset, AfterBytes: bytes);
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Ecr.Tests.Snapshots.Errors;

/// <summary>
/// Real network failures on this machine's loopback, for the texts a push gives when a connection goes wrong: a port
/// nothing listens on, a TLS server no authority of this machine vouches for, a server that answers every request alike.
/// </summary>
internal static class Loopback
{
    /// <summary>A loopback port that was free a moment ago: a connection to it is refused.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects to the loopback port, whatever host the request names.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> To(int port) => (_, cancellationToken) => ConnectAsync(port, cancellationToken);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The stream owns the socket.")]
    private static async ValueTask<Stream> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A loopback server that runs <paramref name="serve"/> on each connection until it is disposed.</summary>
internal abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public virtual async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await (_loop ?? Task.CompletedTask);
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped while it waited for the next connection.
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    protected void Start()
    {
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                using var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                try
                {
                    await ServeAsync(connection.GetStream(), _stop.Token);
                }
                catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // The client gave up on the connection: what these servers are for.
                }
            }
        });
    }

    protected abstract Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken);
}

/// <summary>A TLS server whose certificate, for <c>hostName</c>, no authority of this machine signed: every handshake fails on the client's side.</summary>
internal sealed class UntrustedTlsServer : LoopbackServer
{
    private readonly X509Certificate2 _certificate;

    public UntrustedTlsServer(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var selfSigned = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
        Start();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _certificate.Dispose();
    }

    protected override async Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        await using var tls = new SslStream(stream);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, cancellationToken);
    }
}

/// <summary>An HTTP/1.1 server that answers every request with the same status, content type and body: an AWS service's refusal.</summary>
internal sealed class FixedAnswerServer : LoopbackServer
{
    private readonly byte[] _answer;

    public FixedAnswerServer(int status, string reason, string contentType, string body)
    {
        var content = Encoding.UTF8.GetBytes(body);
        _answer = [.. Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n"), .. content];
        Start();
    }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    protected override async Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        // The request's head, then its body by its Content-Length: read whole, so that the answer is not a reset.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, cancellationToken) == 1)
        {
            head.Append((char)one[0]);
        }

        var length = head.ToString().Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } header
            ? int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : 0;
        await stream.ReadExactlyAsync(new byte[length], cancellationToken);
        await stream.WriteAsync(_answer, cancellationToken);
    }
}

using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ecr.Tests.Readme;

/// <summary>
/// A Docker engine's API on a Unix socket of the test's, answering each request from <see cref="Answer"/> and closing
/// the connection: enough for the real engine adapter (Docker.DotNet) to meet a missing image or a failed push the
/// way dockerd reports them.
/// </summary>
internal sealed class FakeEngineSocket : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, string, (int Status, string Body)> _answer;

    public FakeEngineSocket(string path, Func<string, string, (int Status, string Body)> answer)
    {
        _answer = answer;
        Path = path;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(8);
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Path { get; }

    public Uri Endpoint => new("unix://" + Path);

    /// <summary>The method and path of every request, in order.</summary>
    public List<string> Requests { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        File.Delete(Path);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (connection)
            await using (var stream = new NetworkStream(connection, ownsSocket: false))
            {
                var head = await ReadHeadAsync(stream);
                var requestLine = head.Split("\r\n")[0].Split(' ');
                lock (Requests)
                {
                    Requests.Add(requestLine[0] + " " + requestLine[1]);
                }

                var (status, body) = _answer(requestLine[0], requestLine[1]);
                var bytes = Encoding.UTF8.GetBytes(body);
                var response = string.Create(
                    CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {status} {(status < 300 ? "OK" : "Error")}\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                await stream.WriteAsync(bytes, _stop.Token);
            }
        }
    }

    // The request's head; a body (the push sends none) is left unread, as the connection closes after the answer.
    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, _stop.Token) == 1)
        {
            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }
}

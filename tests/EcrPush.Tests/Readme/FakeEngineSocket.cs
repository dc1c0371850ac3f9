using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ecr.Tests.Readme;

/// <summary>
/// A Docker engine's API on a Unix socket of the test's, answering each request from the answer function and closing
/// the connection: enough for the real engine adapter (Docker.DotNet) to meet a missing image or a failed push the
/// way dockerd reports them. An answer of status 0 is none at all: the connection stays open and silent, as an engine
/// that waits on a registry which stopped answering. Connections are served side by side.
/// </summary>
internal sealed class FakeEngineSocket : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, string, (int Status, string Body)> _answer;
    private readonly List<Task> _served = [];

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

        Task[] served;
        lock (_served)
        {
            served = [.. _served];
        }

        await Task.WhenAll(served);

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

            lock (_served)
            {
                _served.Add(ServeAsync(connection));
            }
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        await using (var stream = new NetworkStream(connection, ownsSocket: false))
        {
            try
            {
                var head = await ReadHeadAsync(stream);
                var requestLine = head.Split("\r\n")[0].Split(' ');
                lock (Requests)
                {
                    Requests.Add(requestLine[0] + " " + requestLine[1]);
                }

                var (status, body) = _answer(requestLine[0], requestLine[1]);
                if (status == 0)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                var response = string.Create(
                    CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {status} {(status < 300 ? "OK" : "Error")}\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                await stream.WriteAsync(bytes, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException)
            {
                // Stopped while it held the connection, or the client went away first (it gave up on the silence).
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

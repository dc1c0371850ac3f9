using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// The listening half of a fault front: accepts connections on a loopback end point, hands each to the front's
/// handler, and on dispose stops accepting and waits for every connection it started.
/// </summary>
internal sealed class ConnectionLoop : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Task _accepting;
    private int _connectionCount;

    public ConnectionLoop(IPEndPoint endPoint, Func<Socket, Task> handle)
    {
        _listener = new TcpListener(endPoint);
        _listener.Start();
        _accepting = AcceptAsync(handle);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Cancelled when the front stops: every wait of a handler should end with it.</summary>
    public CancellationToken Stopping => _stop.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        await Task.WhenAll(_connections.Values);
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<Socket, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            var id = Interlocked.Increment(ref _connectionCount);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await handle(socket);
                }
                catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or HttpRequestException)
                {
                    // A client that went away, or the front stopping.
                }
                finally
                {
                    socket.Dispose();
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }
}

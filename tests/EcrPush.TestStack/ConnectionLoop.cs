using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ecr.TestStack;

/// <summary>
/// The listening half of a front (the stack's registry gateway, the tests' fault fronts): accepts connections on a
/// loopback end point, hands each to the front's handler, and on dispose stops accepting and waits for every
/// connection it started.
/// </summary>
public sealed class ConnectionLoop : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Task _accepting;
    private int _connectionCount;

    /// <summary>Starts listening on <paramref name="endPoint"/> and hands every connection to <paramref name="handle"/>.</summary>
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="handle">Serves one connection; the loop disposes the socket afterwards.</param>
    public ConnectionLoop(IPEndPoint endPoint, Func<Socket, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(handle);
        _listener = new TcpListener(endPoint);
        _listener.Start(backlog: 512);
        _accepting = AcceptAsync(handle);
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Cancelled when the front stops: every wait of a handler should end with it.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Stops accepting, and waits for the connections being served.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync(Func<Socket, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            var id = Interlocked.Increment(ref _connectionCount);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await handle(socket).ConfigureAwait(false);
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

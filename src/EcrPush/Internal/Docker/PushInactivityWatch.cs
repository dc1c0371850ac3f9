using Docker.DotNet.Models;

namespace Ecr.Internal.Docker;

/// <summary>
/// Passes the engine's push messages on, and cancels <see cref="Token"/> when none has come for the timeout: the
/// engine itself never gives up on a registry that stopped answering mid-request. Each message restarts the clock,
/// including the engine's own once-a-second "Retrying in N seconds" while it waits to retry a layer.
/// </summary>
internal sealed class PushInactivityWatch : IProgress<JSONMessage>, IDisposable
{
    private readonly IProgress<JSONMessage> _inner;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _silence;
    private readonly CancellationTokenSource _cancellation;

    /// <param name="inner">Where the messages go on to.</param>
    /// <param name="timeout">The longest stretch without a message; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="caller">The caller's cancellation, which <see cref="Token"/> follows too.</param>
    /// <param name="time">The clock of the timeout; tests move a fake one.</param>
    public PushInactivityWatch(IProgress<JSONMessage> inner, TimeSpan timeout, CancellationToken caller, TimeProvider? time = null)
    {
        _inner = inner;
        _timeout = timeout;
        _caller = caller;
        _silence = new CancellationTokenSource(timeout, time ?? TimeProvider.System);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(caller, _silence.Token);
    }

    /// <summary>Cancelled by the caller, or by silence.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Whether the silence, not the caller, cancelled <see cref="Token"/>.</summary>
    public bool TimedOut => _silence.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>The last message, for the error: layer and status ("5f70bf18a086: Pushing"), never a credential.</summary>
    public string? LastMessage { get; private set; }

    public void Report(JSONMessage value)
    {
        ArgumentNullException.ThrowIfNull(value);
        try
        {
            // Restarts the countdown; once it has run out this does nothing.
            _silence.CancelAfter(_timeout);
        }
        catch (ObjectDisposedException)
        {
            // A message after the push returned: nothing to watch any more.
        }

        if (!string.IsNullOrEmpty(value.Status))
        {
            LastMessage = string.IsNullOrEmpty(value.ID) ? value.Status : $"{value.ID}: {value.Status}";
        }

        _inner.Report(value);
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _silence.Dispose();
    }
}

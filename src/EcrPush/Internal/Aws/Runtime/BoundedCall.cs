namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Runs a blocking SDK call (instance metadata, the SDK's credential chain) on the thread pool and stops waiting
/// for it after a budget. The SDK's own metadata timeouts add up to about 16 s when nothing answers; a build
/// should not wait that long on a host that is not on EC2. The abandoned call finishes on its own.
/// </summary>
internal static class BoundedCall
{
    /// <returns>Completed false when the budget ran out first; the call's own exception otherwise propagates.</returns>
    public static async Task<(bool Completed, T? Value)> RunAsync<T>(Func<T> call, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var task = Task.Run(call, CancellationToken.None);
        try
        {
            return (true, await task.WaitAsync(budget, cancellationToken).ConfigureAwait(false));
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            Observe(task);
            return (false, default);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !task.IsCompleted)
        {
            Observe(task);
            throw;
        }
    }

    // A late failure of an abandoned call must not surface as an unobserved task exception.
    private static void Observe(Task task)
        => _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}

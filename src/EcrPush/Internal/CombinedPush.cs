namespace Ecr.Internal;

/// <summary>
/// Several whole pushes in one call, as Nuke runs a combinatorial tool call: a bounded number at once (one by
/// default), and on a failure either no further push starts (the default) or all run to their end (completeOnFailure).
/// </summary>
internal static class CombinedPush
{
    public static async Task<IReadOnlyList<(EcrPushSettings Settings, EcrPushResult Result)>> RunAsync(
        IReadOnlyList<EcrPushSettings> all, int degreeOfParallelism, bool completeOnFailure, Func<EcrPushSettings, Task<EcrPushResult>> push, CancellationToken cancellationToken)
    {
        if (all.Count == 0)
        {
            throw new EcrPushException("The settings configurator returned no settings: CombineWith was given no values; give it at least one.");
        }

        var pushes = new List<Task<EcrPushResult>>(all.Count);
        var failed = 0;
        using var turns = new SemaphoreSlim(degreeOfParallelism);
        try
        {
            foreach (var settings in all)
            {
                await turns.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!completeOnFailure && Volatile.Read(ref failed) != 0)
                {
                    turns.Release();
                    break;
                }

                pushes.Add(RunOneAsync(settings));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // No further push starts; those started end first (each removes the tags it made), then the cancellation is thrown.
        }

        try
        {
            await Task.WhenAll(pushes).ConfigureAwait(false);
        }
        catch when (pushes.Any(p => p.IsFaulted))
        {
            // One push alone fails as a single push does; of several, one report of them all and of what landed.
            if (all.Count == 1)
            {
                throw;
            }

            throw Failure(all, pushes);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return [.. pushes.Select((p, i) => (all[i], p.Result))];

        async Task<EcrPushResult> RunOneAsync(EcrPushSettings settings)
        {
            try
            {
                return await push(settings).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Interlocked.Exchange(ref failed, 1);
                throw;
            }
            finally
            {
                turns.Release();
            }
        }
    }

    private static EcrPushException Failure(IReadOnlyList<EcrPushSettings> all, List<Task<EcrPushResult>> pushes)
    {
        var notStarted = all.Count - pushes.Count;
        return PartialFailure.Of(
            pushes,
            i => $"push {i + 1} of {all.Count}, {all[i].RepositoryName ?? "(no repository)"}{(all[i].Region is { } region ? " in " + region : string.Empty)}",
            result => result.Destinations,
            failed => $"{failed} of {all.Count} pushes failed{(notStarted > 0 ? $"; the {notStarted} after the first failure did not start (completeOnFailure is off)" : string.Empty)}:");
    }
}

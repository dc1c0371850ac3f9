namespace Ecr.Internal;

/// <summary>Several whole pushes in one call, a bounded number at once, as Nuke runs a combinatorial tool call.</summary>
internal static class CombinedPush
{
    public static async Task<IReadOnlyList<EcrPushResult>> RunAsync(IReadOnlyList<EcrPushSettings> all, int degreeOfParallelism, Func<EcrPushSettings, Task<EcrPushResult>> push, CancellationToken cancellationToken)
    {
        if (all.Count == 0)
        {
            throw new EcrPushException("The settings configurator returned no settings: CombineWith was given no values; give it at least one.");
        }

        using var turns = new SemaphoreSlim(degreeOfParallelism);
        var pushes = all.Select(async settings =>
        {
            await turns.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await push(settings).ConfigureAwait(false);
            }
            finally
            {
                turns.Release();
            }
        }).ToList();

        try
        {
            return await Task.WhenAll(pushes).ConfigureAwait(false);
        }
        catch when (!pushes.Any(p => p.IsFaulted))
        {
            // Cancelled, and nothing failed: the cancellation itself, as a single push would throw it.
            throw;
        }
        catch
        {
            // Every push has ended (Task.WhenAll waits for all), each having removed its own tags.
            throw Failure(all, pushes);
        }
    }

    private static EcrPushException Failure(IReadOnlyList<EcrPushSettings> all, List<Task<EcrPushResult>> pushes)
        => PartialFailure.Of(pushes, i => $"push {i + 1} of {pushes.Count}, {all[i].RepositoryName ?? "(no repository)"}", result => result.AllImageReferences, (failed, total) => $"{failed} of {total} pushes failed.");
}

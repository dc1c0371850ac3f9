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
    {
        var failed = new List<string>();
        var pushed = new List<string>();
        for (var i = 0; i < pushes.Count; i++)
        {
            if (pushes[i].IsCompletedSuccessfully)
            {
                pushed.AddRange(pushes[i].Result.AllImageReferences);
            }
            else
            {
                failed.Add($"[push {i + 1} of {pushes.Count}, {all[i].RepositoryName ?? "(no repository)"}: {pushes[i].Exception?.InnerException?.Message ?? "cancelled"}]");
            }
        }

        return new EcrPushException(
            $"{failed.Count} of {pushes.Count} pushes failed. {string.Join(" ", failed)}" + (pushed.Count > 0 ? $" Pushed: {string.Join(", ", pushed)}." : " Nothing was pushed."),
            pushes.First(p => p.IsFaulted).Exception!.InnerException!);
    }
}

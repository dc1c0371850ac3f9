namespace Ecr.Internal;

/// <summary>
/// Several pushes ran to their end and some failed: one exception that names each failure and what was pushed, for
/// the destinations of one push and for the pushes of one combined call alike.
/// </summary>
internal static class PartialFailure
{
    public static EcrPushException Of<T>(IReadOnlyList<Task<T>> tasks, Func<int, string> label, Func<T, IEnumerable<string>> references, Func<int, int, string> headline)
    {
        var failed = new List<string>();
        var pushed = new List<string>();
        for (var i = 0; i < tasks.Count; i++)
        {
            if (tasks[i].IsCompletedSuccessfully)
            {
                pushed.AddRange(references(tasks[i].Result));
            }
            else
            {
                failed.Add($"[{label(i)}: {tasks[i].Exception?.InnerException?.Message ?? "cancelled"}]");
            }
        }

        return new EcrPushException(
            $"{headline(failed.Count, tasks.Count)} {string.Join(" ", failed)}" + (pushed.Count > 0 ? $" Pushed: {string.Join(", ", pushed)}." : " Nothing was pushed."),
            tasks.First(t => t.IsFaulted).Exception!.InnerException!);
    }
}

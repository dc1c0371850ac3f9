namespace Ecr.Internal;

/// <summary>
/// Several pushes ran and some failed: one exception that names each failure and what landed, for the destinations
/// of one push and for the pushes of one combined call alike. <see cref="EcrPushException.Landed"/> holds what
/// landed: the results of the pushes that succeeded, and what a failed push reports it left (its own Landed).
/// </summary>
internal static class PartialFailure
{
    public static EcrPushException Of<T>(IReadOnlyList<Task<T>> tasks, Func<int, string> label, Func<T, IEnumerable<EcrPushedImage>> images, Func<int, string> headline)
    {
        var failures = new List<string>();
        var landed = new List<EcrPushedImage>();
        for (var i = 0; i < tasks.Count; i++)
        {
            if (tasks[i].IsCompletedSuccessfully)
            {
                landed.AddRange(images(tasks[i].Result));
                continue;
            }

            var error = tasks[i].Exception?.InnerException;
            failures.Add($"- {label(i)}: {error?.Message ?? "cancelled"}");
            if (error is EcrPushException { Landed: var partly })
            {
                landed.AddRange(partly);
            }
        }

        var pushed = landed.Count == 0
            ? "Nothing was pushed."
            : "Pushed:\n" + string.Join("\n", landed.Select(image => string.Join(", ", image.ImageReferences)));
        return new EcrPushException(Messages.Lines(headline(failures.Count), [.. failures, pushed]), tasks.First(t => t.IsFaulted).Exception!.InnerException!)
        {
            Landed = landed,
        };
    }
}

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>ECR's WILDCARD filters for tag mutability exclusions: <c>*</c> stands for any run of characters.</summary>
internal static class Wildcard
{
    public static bool Matches(string filter, string tag)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(tag);
        var parts = filter.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(filter, tag, StringComparison.Ordinal);
        }

        if (!tag.StartsWith(parts[0], StringComparison.Ordinal) || !tag.EndsWith(parts[^1], StringComparison.Ordinal) || tag.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var position = parts[0].Length;
        var end = tag.Length - parts[^1].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = tag.IndexOf(parts[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }
}

using System.Text;

namespace Ecr.Internal;

/// <summary>
/// The layout of a long message, so that a CI log shows it whole instead of one line of hundreds of characters: a
/// headline, then one indented line per item. A line break inside an item continues it, indented one step more.
/// </summary>
internal static class Messages
{
    private const string Indent = "  ";

    /// <summary>
    /// A text that ends a sentence, with one full stop: a message quoted from .NET, AWS or a registry may end with one or
    /// with none, and the advice that follows it starts a new sentence.
    /// </summary>
    public static string Sentence(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.Length == 0 || trimmed[^1] is '.' or '!' or '?' or '…' ? trimmed : trimmed + ".";
    }

    /// <summary>
    /// What a .NET exception says, for a sentence of ours: its message, and its cause's where that adds something,
    /// without .NET's pointer to the inner exception (which the reader of a build log cannot follow).
    /// </summary>
    public static string Cause(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var outer = WithoutPointer(exception.Message);
        return exception.InnerException is { } inner && !exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{outer.TrimEnd('.')} ({WithoutPointer(inner.Message).TrimEnd('.')})"
            : outer;
    }

    private static string WithoutPointer(string message)
        => message.Replace(", see inner exception", string.Empty, StringComparison.Ordinal)
            .Replace(" See the inner exception for details.", string.Empty, StringComparison.Ordinal)
            .Trim();

    public static string Lines(string headline, params IEnumerable<string> lines)
    {
        var builder = new StringBuilder(headline);
        foreach (var line in lines)
        {
            builder.Append(Environment.NewLine).Append(Indent).Append(line.ReplaceLineEndings(Environment.NewLine + Indent + Indent));
        }

        return builder.ToString();
    }
}

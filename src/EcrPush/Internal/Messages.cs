using System.Text;

namespace Ecr.Internal;

/// <summary>
/// The layout of a long message, so that a CI log shows it whole instead of one line of hundreds of characters: a
/// headline, then one indented line per item. A line break inside an item continues it, indented one step more.
/// </summary>
internal static class Messages
{
    private const string Indent = "  ";

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

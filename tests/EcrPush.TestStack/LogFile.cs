using System.Text;

namespace Ecr.TestStack;

/// <summary>Reads the logs that the stack's programs write, for readiness checks and failure messages.</summary>
internal static class LogFile
{
    private const int TailBytes = 16 * 1024;

    /// <summary>The last <paramref name="lines"/> lines of <paramref name="path"/>, or a note that there is none.</summary>
    public static string Tail(string path, int lines = 25)
    {
        var text = ReadEnd(path, TailBytes);
        if (text is null)
        {
            return $"(no log file at {path})";
        }

        var tail = text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).TakeLast(lines).ToList();
        return tail.Count == 0 ? "(the log is empty)" : "  " + string.Join(Environment.NewLine + "  ", tail);
    }

    /// <summary>Whether <paramref name="path"/> exists and contains <paramref name="value"/>.</summary>
    public static bool Contains(string path, string value) =>
        ReadEnd(path, int.MaxValue)?.Contains(value, StringComparison.Ordinal) ?? false;

    private static string? ReadEnd(string path, int maximumBytes)
    {
        try
        {
            // The program is still writing, and teardown may delete the file meanwhile.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, stream.Length - maximumBytes);
            stream.Position = start;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}

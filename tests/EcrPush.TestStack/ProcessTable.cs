using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Ecr.TestStack;

/// <summary>
/// Finds processes through /proc. Teardown uses it to catch what the stack did not start itself: the containerd
/// that dockerd spawns (and anything it spawns), which live in dockerd's private mount namespace and name the
/// state directory on their command lines.
/// </summary>
internal static class ProcessTable
{
    /// <summary>
    /// The live processes, other than this one, that run one of <paramref name="programs"/> (by file name) and name
    /// <paramref name="directory"/> or something in it on their command line.
    /// </summary>
    public static IReadOnlyList<int> FindReferencing(string directory, IReadOnlyCollection<string> programs)
    {
        var prefix = Path.TrimEndingDirectorySeparator(directory) + "/";
        return [.. LivePids().Where(pid =>
            ReadCommandLine(pid) is [var program, ..] arguments &&
            programs.Contains(Path.GetFileName(program)) &&
            arguments.Any(argument => (argument + "/").Contains(prefix, StringComparison.Ordinal)))];
    }

    /// <summary>The live processes, other than this one, in mount namespace <paramref name="mountNamespace"/>.</summary>
    public static IReadOnlyList<int> FindInMountNamespace(string mountNamespace) =>
        [.. LivePids().Where(pid => string.Equals(MountNamespaceOf(pid), mountNamespace, StringComparison.Ordinal))];

    /// <summary>The mount namespace of <paramref name="pid"/>, e.g. "mnt:[4026531841]", or <see langword="null"/> when it is gone.</summary>
    public static string? MountNamespaceOf(int pid) => ReadLink($"/proc/{pid}/ns/mnt");

    /// <summary>
    /// Opens the mount namespace of <paramref name="pid"/> and names it, or <see langword="null"/> when the process is
    /// gone. The kernel hands a freed namespace's number to the next new one at once (every layer dockerd applies
    /// unshares one), so a name is only this namespace's while a handle keeps it alive: hold the handle until the name
    /// is no longer used to find processes.
    /// </summary>
    public static (SafeFileHandle Hold, string Name)? HoldMountNamespaceOf(int pid)
    {
        SafeFileHandle? hold = null;
        try
        {
            hold = File.OpenHandle($"/proc/{pid}/ns/mnt", FileMode.Open, FileAccess.Read);
            if (ReadLink($"/proc/self/fd/{hold.DangerousGetHandle()}") is not { } name)
            {
                return null;
            }

            (SafeFileHandle Hold, string Name) held = (hold, name);
            hold = null;
            return held;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        finally
        {
            hold?.Dispose();
        }
    }

    private static IEnumerable<int> LivePids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(entry => int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && IsAlive(pid));

    /// <summary>Whether <paramref name="pid"/> is a process that has not ended (a zombie has ended).</summary>
    public static bool IsAlive(int pid)
    {
        var stat = ReadText($"/proc/{pid}/stat");
        if (stat is null)
        {
            return false;
        }

        // The state follows the parenthesised command name, which may itself contain ") ".
        var end = stat.LastIndexOf(')');
        return end >= 0 && end + 2 < stat.Length && stat[end + 2] is not ('Z' or 'X');
    }

    /// <summary>The arguments of <paramref name="pid"/>, or <see langword="null"/> when it is gone.</summary>
    public static IReadOnlyList<string>? ReadCommandLine(int pid) =>
        ReadText($"/proc/{pid}/cmdline")?.Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Waits until none of <paramref name="pids"/> is alive, or <paramref name="timeout"/> passes.</summary>
    /// <returns>The processes still alive.</returns>
    public static async Task<IReadOnlyList<int>> WaitForExitAsync(IReadOnlyList<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var alive = pids.Where(IsAlive).ToList();
            if (alive.Count == 0 || DateTime.UtcNow >= deadline)
            {
                return alive;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }
    }

    /// <summary>The mount points (in this process's mount namespace) inside <paramref name="directory"/>, deepest first.</summary>
    public static IReadOnlyList<string> FindMountsUnder(string directory)
    {
        var prefix = Path.TrimEndingDirectorySeparator(directory) + "/";
        var mountInfo = ReadText("/proc/self/mountinfo") ?? string.Empty;
        return [.. mountInfo
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(mountPoint => (mountPoint + "/").StartsWith(prefix, StringComparison.Ordinal))
            .OrderByDescending(mountPoint => mountPoint.Length)];
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal)
            .Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal)
            .Replace("\\134", "\\", StringComparison.Ordinal);

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The process ended between listing and reading.
            return null;
        }
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using System.Runtime.InteropServices;

namespace Ecr.TestStack;

/// <summary>The one system call .NET has no API for: sending a signal other than SIGKILL, or to a process group.</summary>
internal static partial class NativeMethods
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to a process, or to a process group when <paramref name="pid"/> is negative.</summary>
    /// <returns><see langword="true"/> when the signal was delivered; <see langword="false"/> when no such process (group) exists.</returns>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int pid, int sig);
}

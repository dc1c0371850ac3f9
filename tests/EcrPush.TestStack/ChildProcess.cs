using System.Diagnostics;

namespace Ecr.TestStack;

/// <summary>
/// One program of the stack, running in its own session and process group with its output in a log file.
/// </summary>
/// <remarks>
/// <c>setsid</c> makes the program lead a new process group, so that teardown can signal everything it spawned
/// at once and a Ctrl+C in the caller's terminal does not reach it half-way. <c>sh</c> redirects the output into
/// the log file so that the program never depends on this process to drain a pipe. Both <c>exec</c>, so the
/// process ID seen here is the program's own.
/// </remarks>
internal sealed class ChildProcess : IDisposable
{
    private const string RedirectScript = "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1";

    private readonly Process _process;

    private ChildProcess(string name, string logPath, IReadOnlyList<string> command, Process process)
    {
        Name = name;
        LogPath = logPath;
        Command = string.Join(' ', command.Select(QuoteForShell));
        _process = process;
        Id = process.Id;
    }

    /// <summary>A short name for messages, e.g. "dockerd".</summary>
    public string Name { get; }

    /// <summary>The file that receives the program's standard output and error.</summary>
    public string LogPath { get; }

    /// <summary>The command line, for messages.</summary>
    public string Command { get; }

    /// <summary>The process ID, which is also the ID of its process group.</summary>
    public int Id { get; }

    /// <summary>Whether the program has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="command"/> (program and arguments).</summary>
    /// <param name="tools">Where <c>setsid</c> and <c>sh</c> are.</param>
    /// <param name="name">A short name for messages.</param>
    /// <param name="logPath">The log file; it is appended to.</param>
    /// <param name="workingDirectory">The working directory (the stack's state directory, so a sweep can find it).</param>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="environment">Variables to set (a <see langword="null"/> value removes one).</param>
    public static ChildProcess Start(
        ToolSet tools,
        string name,
        string logPath,
        string workingDirectory,
        IReadOnlyList<string> command,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new ProcessStartInfo(tools.Setsid)
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (IEnumerable<string>)[tools.Shell, "-c", RedirectScript, "sh", logPath, .. command])
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.SetVariables(environment);

        var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {name}: {string.Join(' ', command)}");
        return new ChildProcess(name, logPath, command, process);
    }

    /// <summary>
    /// Asks the process group to stop (SIGTERM), waits up to <paramref name="grace"/>, then kills the group.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            NativeMethods.Signal(-Id, NativeMethods.SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                NativeMethods.Signal(-Id, NativeMethods.SigKill);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        // Anything the program left in its group goes too.
        NativeMethods.Signal(-Id, NativeMethods.SigKill);
    }

    /// <summary>Kills the whole process group at once, without waiting (for process exit).</summary>
    public void Kill() => NativeMethods.Signal(-Id, NativeMethods.SigKill);

    /// <summary>Describes why the program is not running, for messages.</summary>
    public string DescribeExit() => HasExited ? $"{Name} exited with code {ExitCode}" : $"{Name} is running";

    /// <inheritdoc />
    public void Dispose() => _process.Dispose();

    // So that a reader can paste the command from a failure message into a shell.
    private static string QuoteForShell(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

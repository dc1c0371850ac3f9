using System.Diagnostics;
using System.Text;

namespace Ecr.TestStack;

/// <summary>What one child process did: its exit code and its standard output and error, interleaved as they came.</summary>
/// <param name="CommandLine">The program and its arguments, for messages.</param>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Output">Standard output and error, one line per <c>\n</c>.</param>
/// <param name="Elapsed">From start to exit.</param>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The output's lines, without line ends.</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();

    /// <summary>Fails with the whole output when the command did not succeed, so that the reason is in the test result.</summary>
    public CommandResult EnsureSucceeded() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"`{CommandLine}` exited with {ExitCode} after {Elapsed.TotalSeconds:0.0} s:\n{Output}");
}

/// <summary>Runs a program to its end with a time limit, as a person would run it in a terminal.</summary>
public static class ChildCommand
{
    /// <summary>Runs <paramref name="program"/> with its standard input closed; kills it (and its children) after <paramref name="timeout"/>.</summary>
    /// <param name="program">The program, a path or a name on PATH.</param>
    /// <param name="arguments">Its arguments, each passed as one.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="timeout">How long it may take; then it is killed and a <see cref="TimeoutException"/> carries its output so far.</param>
    /// <param name="environment">Variables to set; a <see langword="null"/> value removes one.</param>
    /// <returns>Its exit code and output.</returns>
    public static async Task<CommandResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.SetVariables(environment);

        var commandLine = string.Join(' ', [program, .. arguments]);
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Append(line).Append('\n');
                }
            }
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();

        // Nothing may wait for a keyboard: the scripts run unattended, as on CI.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            string soFar;
            lock (output)
            {
                soFar = output.ToString();
            }

            throw new TimeoutException($"`{commandLine}` did not finish within {timeout.TotalSeconds:0} s and was killed. Its output:\n{soFar}");
        }

        lock (output)
        {
            return new CommandResult(commandLine, process.ExitCode, output.ToString(), clock.Elapsed);
        }
    }
}

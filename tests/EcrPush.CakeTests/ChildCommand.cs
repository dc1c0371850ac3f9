using System.Diagnostics;
using System.Text;
using Ecr.TestStack;

namespace Ecr.CakeTests;

/// <summary>What one child process did: its exit code and its standard output and error, interleaved as they came.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    public IReadOnlyList<string> Lines => Output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();

    /// <summary>Fails with the whole output when the command did not succeed, so that the reason is in the test result.</summary>
    public CommandResult EnsureSucceeded()
    {
        Assert.True(ExitCode == 0, $"`{CommandLine}` exited with {ExitCode} after {Elapsed.TotalSeconds:0.0} s:\n{Output}");
        return this;
    }
}

/// <summary>Runs a program to its end with a time limit, as a person would run it in a terminal.</summary>
internal static class ChildCommand
{
    public static async Task<CommandResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
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
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
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

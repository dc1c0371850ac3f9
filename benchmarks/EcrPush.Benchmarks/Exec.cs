using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ecr.Benchmarks;

/// <summary>What one timed process gave: wall time from start to exit (output drained), exit code and output.</summary>
internal sealed record ExecResult(double Seconds, int ExitCode, string Output, string Error)
{
    public string Describe() => $"exit code {ExitCode}\n{Output}{Error}".Trim();
}

internal static class Exec
{
    /// <summary>Starts a program and times it until it has exited and its output is read.</summary>
    public static async Task<ExecResult> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = Prepare(program, args, environment);
        startInfo.RedirectStandardInput = false;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var (o, e) = (await output, await error);
        var seconds = clock.Elapsed.TotalSeconds;
        return new ExecResult(seconds, process.ExitCode, o, e);
    }

    public static ProcessStartInfo Prepare(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = PrivateNamespace.Directory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in args)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }
}

/// <summary>What a push child reported for one push.</summary>
internal sealed record ChildReport(
    double CallSeconds,
    double? MainSeconds,
    long PeakKb,
    int JitMethods,
    double JitMs,
    double CpuMs,
    long AllocatedKb,
    int Assemblies,
    string? Error,
    IReadOnlyList<(double Ms, string Text)> Events,
    IReadOnlyList<string> Spans,
    IReadOnlyList<(string Group, int Count, double Ms)> Jit)
{
    public static ChildReport? Parse(string output)
    {
        var events = new List<(double, string)>();
        var spans = new List<string>();
        var jit = new List<(string, int, double)>();
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("EVENT ", StringComparison.Ordinal) && line.IndexOf('\t', StringComparison.Ordinal) is var tab and > 6)
            {
                events.Add((double.Parse(line[6..tab], CultureInfo.InvariantCulture), line[(tab + 1)..]));
            }
            else if (line.StartsWith("SPAN ", StringComparison.Ordinal))
            {
                spans.Add(line[5..]);
            }
            else if (line.StartsWith("JIT ", StringComparison.Ordinal) && line[4..].Split('\t') is { Length: 3 } parts)
            {
                jit.Add((parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture)));
            }
            else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                var values = line[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
                double D(string key) => double.Parse(values[key], CultureInfo.InvariantCulture);
                return new ChildReport(
                    D("call"),
                    values["main"] == "-" ? null : D("main"),
                    (long)D("hwm_kb"),
                    (int)D("jit_methods"),
                    D("jit_ms"),
                    D("cpu_ms"),
                    (long)D("alloc_kb"),
                    (int)D("assemblies"),
                    values["error"] == "-" ? null : Uri.UnescapeDataString(values["error"]),
                    events,
                    spans,
                    jit);
            }
        }

        return null;
    }
}

/// <summary>A push child in <c>serve</c> mode: started and ready before anything is timed, then fed pushes one by one.</summary>
internal sealed class ServeChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private ServeChild(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public static async Task<ServeChild> StartAsync(string exe, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = Exec.Prepare(exe, ["serve"], environment);
        startInfo.RedirectStandardInput = true;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {exe} serve.");
        var child = new ServeChild(process);
        var ready = await process.StandardOutput.ReadLineAsync();
        if (ready != "READY")
        {
            throw new InvalidOperationException($"The push child did not start: {ready} {child._errors}");
        }

        return child;
    }

    public async Task<(ChildReport Report, string Output)> PushAsync(string source, string repository, string tag, bool create)
    {
        await _process.StandardInput.WriteLineAsync($"push {source} {repository} {tag}{(create ? " create" : string.Empty)}");
        await _process.StandardInput.FlushAsync();
        var output = new StringBuilder();
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            output.Append(line).Append('\n');
            if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                return (ChildReport.Parse(output.ToString())!, output.ToString());
            }
        }

        throw new InvalidOperationException($"The push child ended without a result: {output}{_errors}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("exit");
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

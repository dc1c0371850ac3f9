using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Ecr.Benchmarks;

/// <summary>
/// The measured side: a process that calls <c>EcrTasks.EcrPush</c> the way a build does. Two modes of this exe:
/// <list type="bullet">
/// <item><description><c>push-once SOURCE REPOSITORY TAG [create] [parallelism=N]</c>: one push, then exit. The harness
/// times the whole process, so runtime start-up, assembly loading and JIT count. SOURCE is an engine image
/// (<c>name:tag</c>), <c>oci:DIR</c> (an OCI layout, <c>SetSourceOciLayout</c>) or <c>archive:FILE</c> (an OCI archive or
/// docker-archive, <c>SetSourceImageArchive</c>); those two need no engine. <c>parallelism=N</c> sets
/// <c>SetUploadParallelism</c>.</description></item>
/// <item><description><c>serve</c>: a process that is already up (as a Nuke or Cake build is when it reaches its push
/// target); each <c>push SOURCE REPOSITORY TAG [create]</c> line on stdin is one call, timed here.</description></item>
/// </list>
/// For every push it prints <c>EVENT</c> lines (the library's own log, time-stamped: the phase breakdown) and one
/// <c>RESULT</c> line. It reads nothing of the test stack, so the stack's assembly is never loaded here.
/// With ECRPUSH_BENCH_TRACE=1 it also records HTTP, TLS and JIT events (slower; used only for the breakdown).
/// </summary>
internal static class PushChild
{
    public static int RunOnce(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var output = new StringBuilder();
        using var tracer = Tracer.StartIfAsked();
        var timeline = Timeline.Install();
        var ok = Push(args.AsSpan(1), timeline, tracer, output, clock);
        Console.Out.Write(output.ToString());
        Console.Out.Flush();
        return ok ? 0 : 1;
    }

    public static int Serve()
    {
        using var tracer = Tracer.StartIfAsked();
        var timeline = Timeline.Install();
        Console.Out.WriteLine("READY");
        Console.Out.Flush();
        while (Console.In.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || words[0] == "exit")
            {
                break;
            }

            var output = new StringBuilder();
            Push(words.AsSpan(1), timeline, tracer, output, clock: null);
            Console.Out.Write(output.ToString());
            Console.Out.Flush();
        }

        return 0;
    }

    private static bool Push(ReadOnlySpan<string> words, Timeline timeline, Tracer? tracer, StringBuilder output, Stopwatch? clock)
    {
        var (source, repository, tag) = (words[0], words[1], words[2]);
        var create = false;
        int? parallelism = null;
        foreach (var word in words[3..])
        {
            if (word == "create")
            {
                create = true;
            }
            else if (word.StartsWith("parallelism=", StringComparison.Ordinal))
            {
                parallelism = int.Parse(word["parallelism=".Length..], CultureInfo.InvariantCulture);
            }
        }

        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        var allocated = GC.GetTotalAllocatedBytes();
        var cpu = Environment.CpuUsage.TotalTime;
        var assemblies = AppDomain.CurrentDomain.GetAssemblies().Length;
        timeline.Start();
        tracer?.Start(timeline);
        string? error = null;
        try
        {
            CallEcrPush(source, repository, tag, create, parallelism);
        }
        catch (Exception exception)
        {
            error = exception.GetType().Name + ": " + exception.Message;
        }

        var seconds = timeline.Elapsed.TotalSeconds;
        tracer?.Stop();
        foreach (var (ms, text) in timeline.Drain())
        {
            output.Append("EVENT ").Append(ms.ToString("0.0", CultureInfo.InvariantCulture)).Append('\t').Append(text.ReplaceLineEndings(" ")).Append('\n');
        }

        tracer?.Write(output);
        output.Append("RESULT")
            .Append(" call=").Append(seconds.ToString("0.0000", CultureInfo.InvariantCulture))
            .Append(" main=").Append(clock is null ? "-" : clock.Elapsed.TotalSeconds.ToString("0.0000", CultureInfo.InvariantCulture))
            .Append(" hwm_kb=").Append(PeakResidentKilobytes().ToString(CultureInfo.InvariantCulture))
            .Append(" jit_methods=").Append((System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods).ToString(CultureInfo.InvariantCulture))
            .Append(" jit_ms=").Append((System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture))
            .Append(" cpu_ms=").Append((Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture))
            .Append(" alloc_kb=").Append(((GC.GetTotalAllocatedBytes() - allocated) / 1024).ToString(CultureInfo.InvariantCulture))
            .Append(" assemblies=").Append((AppDomain.CurrentDomain.GetAssemblies().Length - assemblies).ToString(CultureInfo.InvariantCulture))
            .Append(" error=").Append(error is null ? "-" : Uri.EscapeDataString(error))
            .Append('\n');
        return error is null;
    }

    // Kept out of line so that EcrPush's assemblies load, and its code is compiled, inside the timed call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CallEcrPush(string source, string repository, string tag, bool create, int? parallelism)
        => EcrTasks.EcrPush(s =>
        {
            if (source.StartsWith("oci:", StringComparison.Ordinal))
            {
                s = s.SetSourceOciLayout(source["oci:".Length..]);
            }
            else if (source.StartsWith("archive:", StringComparison.Ordinal))
            {
                s = s.SetSourceImageArchive(source["archive:".Length..]);
            }
            else
            {
                var colon = source.LastIndexOf(':');
                var (name, sourceTag) = colon > source.LastIndexOf('/') ? (source[..colon], source[(colon + 1)..]) : (source, "latest");
                s = s.SetSourceImageName(name).SetSourceImageTag(sourceTag);
            }

            s = s.SetRepositoryName(repository).SetTargetTags(tag);
            if (parallelism is { } n)
            {
                s = s.SetUploadParallelism(n);
            }

            return create ? s.EnableAutoCreateRepository() : s;
        });

    /// <summary>VmHWM of this process: the peak resident set size, in kB.</summary>
    public static long PeakResidentKilobytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>The library's log, every level, with the time since the call started: the phases of a push.</summary>
    internal sealed class Timeline : ILogEventSink
    {
        private readonly Stopwatch _clock = new();
        private readonly List<(double Ms, string Text)> _events = [];
        private readonly Lock _gate = new();

        public TimeSpan Elapsed => _clock.Elapsed;

        public static Timeline Install()
        {
            var timeline = new Timeline();
            Log.Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(timeline).CreateLogger();
            return timeline;
        }

        public void Start() => _clock.Restart();

        public void Add(string text)
        {
            lock (_gate)
            {
                _events.Add((_clock.Elapsed.TotalMilliseconds, text));
            }
        }

        public void Add(double ms, string text)
        {
            lock (_gate)
            {
                _events.Add((ms, text));
            }
        }

        public double ToMs(DateTime utc) => _clock.Elapsed.TotalMilliseconds - (DateTime.UtcNow - utc).TotalMilliseconds;

        public void Emit(LogEvent logEvent) => Add(logEvent.Level.ToString()[..3].ToUpperInvariant() + " " + logEvent.RenderMessage(CultureInfo.InvariantCulture));

        public List<(double Ms, string Text)> Drain()
        {
            lock (_gate)
            {
                var events = _events.OrderBy(e => e.Ms).ToList();
                _events.Clear();
                return events;
            }
        }
    }
}

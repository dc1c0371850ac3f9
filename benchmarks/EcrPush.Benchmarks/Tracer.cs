using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Ecr.Benchmarks;

/// <summary>
/// In-process event tracing for the phase breakdown (ECRPUSH_BENCH_TRACE=1): spans of HTTP requests, TLS
/// handshakes, socket connects and name lookups, and JIT time grouped by namespace. It slows what it watches, so
/// the timed runs go without it; its figures are for where the time goes, not for how much there is.
/// </summary>
internal sealed class Tracer : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const EventKeywords TasksFlowActivityIds = (EventKeywords)0x80;

    private readonly ConcurrentDictionary<(string Source, Guid Activity), (double Ms, string What)> _open = new();
    private readonly ConcurrentDictionary<ulong, (double Ms, string Group)> _jitting = new();
    private readonly ConcurrentDictionary<string, (int Count, double Ms)> _jit = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _spans = new();

    // ECRPUSH_BENCH_JIT_LIST=FILE: every method compiled during the call, one per line, appended to FILE.
    private readonly string? _jitListFile = Environment.GetEnvironmentVariable("ECRPUSH_BENCH_JIT_LIST");
    private readonly ConcurrentQueue<string> _jitList = new();
    private PushChild.Timeline? _timeline;

    private Tracer()
    {
    }

    public static Tracer? StartIfAsked() =>
        Environment.GetEnvironmentVariable("ECRPUSH_BENCH_TRACE") == "1" ? new Tracer() : null;

    public void Start(PushChild.Timeline timeline)
    {
        _jit.Clear();
        _open.Clear();
        _jitting.Clear();
        _spans.Clear();
        _jitList.Clear();
        _timeline = timeline;
    }

    public void Stop() => _timeline = null;

    public void Write(StringBuilder output)
    {
        if (_jitListFile is not null)
        {
            File.AppendAllLines(_jitListFile, _jitList);
        }

        foreach (var span in _spans)
        {
            output.Append("SPAN ").Append(span).Append('\n');
        }

        foreach (var (group, (count, ms)) in _jit.OrderByDescending(pair => pair.Value.Ms))
        {
            output.Append("JIT ").Append(group).Append('\t').Append(count.ToString(CultureInfo.InvariantCulture))
                .Append('\t').Append(ms.ToString("0.0", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        switch (eventSource.Name)
        {
            case "System.Threading.Tasks.TplEventSource":
                EnableEvents(eventSource, EventLevel.Informational, TasksFlowActivityIds);
                break;
            case "System.Net.Http" or "System.Net.Security" or "System.Net.Sockets" or "System.Net.NameResolution":
                EnableEvents(eventSource, EventLevel.Informational);
                break;
            case "Microsoft-Windows-DotNETRuntime":
                EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
                break;
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_timeline is not { } timeline || eventData.EventName is not { } name)
        {
            return;
        }

        var ms = timeline.ToMs(eventData.TimeStamp.ToUniversalTime());
        var source = eventData.EventSource.Name;
        if (source == "Microsoft-Windows-DotNETRuntime")
        {
            OnJit(eventData, name, ms);
            return;
        }

        if (name.EndsWith("Start", StringComparison.Ordinal))
        {
            _open[(source, eventData.ActivityId)] = (ms, Describe(source, name, eventData));
        }
        else if (name.EndsWith("Stop", StringComparison.Ordinal) || name.EndsWith("Failed", StringComparison.Ordinal))
        {
            if (_open.TryRemove((source, eventData.ActivityId), out var start))
            {
                var result = eventData.Payload is { Count: > 0 } payload ? " -> " + string.Join(',', payload) : string.Empty;
                _spans.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{start.Ms:0.0}\t{ms - start.Ms:0.0}\t{start.What}{result}"));
            }
        }
        else if (name == "ConnectionEstablished")
        {
            _spans.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{ms:0.0}\t0\tHTTP connection {string.Join(' ', eventData.Payload ?? [])}"));
        }
    }

    private void OnJit(EventWrittenEventArgs eventData, string name, double ms)
    {
        if (eventData.Payload is not { } payload || eventData.PayloadNames is not { } names)
        {
            return;
        }

        var id = names.IndexOf("MethodID") is var i and >= 0 ? Convert.ToUInt64(payload[i], CultureInfo.InvariantCulture) : 0UL;
        if (name.StartsWith("MethodJittingStarted", StringComparison.Ordinal))
        {
            var ns = names.IndexOf("MethodNamespace") is var n and >= 0 ? payload[n]?.ToString() ?? "?" : "?";
            _jitting[id] = (ms, Group(ns));
            if (_jitListFile is not null)
            {
                var method = names.IndexOf("MethodName") is var m and >= 0 ? payload[m]?.ToString() : "?";
                _jitList.Enqueue($"{ns}::{method}");
            }
        }
        else if (name.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) && _jitting.TryRemove(id, out var started))
        {
            _jit.AddOrUpdate(started.Group, _ => (1, ms - started.Ms), (_, total) => (total.Count + 1, total.Ms + ms - started.Ms));
        }
    }

    private static string Describe(string source, string name, EventWrittenEventArgs eventData)
    {
        var payload = eventData.Payload ?? [];
        return source switch
        {
            "System.Net.Http" when payload.Count >= 4 => $"HTTP {payload[0]}://{payload[1]}:{payload[2]}{payload[3]}",
            "System.Net.Security" when payload.Count >= 2 => $"TLS handshake {payload[1]}",
            "System.Net.Sockets" when payload.Count >= 1 => payload[0]?.ToString()?.StartsWith("Unix", StringComparison.Ordinal) == true ? "connect (unix socket)" : "connect (tcp)",
            "System.Net.NameResolution" when payload.Count >= 1 => $"resolve {payload[0]}",
            _ => $"{source} {name}",
        };
    }

    /// <summary>Docker.DotNet, System.Text.Json, Amazon.Runtime, Ecr.Internal, System.Net.Http, …: two name segments.</summary>
    private static string Group(string typeName)
    {
        var generic = typeName.IndexOfAny(['`', '[', '<', '+']);
        var plain = generic > 0 ? typeName[..generic] : typeName;
        var parts = plain.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : plain;
    }
}

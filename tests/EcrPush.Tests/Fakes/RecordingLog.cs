using System.Collections.Concurrent;
using Ecr.Internal;

namespace Ecr.Tests.Fakes;

/// <summary>Keeps every line the engine writes, in order, with its level.</summary>
internal sealed class RecordingLog : IPushLog
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Text => string.Join('\n', _lines);

    public void Verbose(string message) => _lines.Enqueue($"VRB {message}");

    public void Information(string message) => _lines.Enqueue($"INF {message}");

    public void Warning(string message) => _lines.Enqueue($"WRN {message}");

    public void ServiceMessage(string line) => _lines.Enqueue($"OUT {line}");
}

using System.Collections.Concurrent;
using Ecr.Internal;
using Serilog.Events;

namespace Ecr.Tests.Fakes;

/// <summary>Keeps every line the engine writes, in order, with its level.</summary>
internal sealed class RecordingLog : IPushLog
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<Wait> _waits = [];

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Text => string.Join('\n', _lines);

    public void Verbose(string message) => Add($"VRB {message}");

    public void Information(string message) => Add($"INF {message}");

    public void Warning(string message) => Add($"WRN {message}");

    public void ServiceMessage(string line) => Add($"OUT {line}");

    /// <summary>
    /// Completes once <paramref name="times"/> lines (as recorded, with their level's prefix) match: a test that orders
    /// the parts of a push by what they logged.
    /// </summary>
    public Task Logged(Func<string, bool> matches, int times = 1)
    {
        lock (_waits)
        {
            var wait = new Wait(matches, times - _lines.Count(matches));
            if (wait.Missing <= 0)
            {
                return Task.CompletedTask;
            }

            _waits.Add(wait);
            return wait.Logged.Task;
        }
    }

    private void Add(string line)
    {
        lock (_waits)
        {
            _lines.Enqueue(line);
            foreach (var wait in _waits.Where(wait => wait.Matches(line)).ToList())
            {
                if (--wait.Missing == 0)
                {
                    wait.Logged.TrySetResult();
                    _waits.Remove(wait);
                }
            }
        }
    }

    private sealed class Wait(Func<string, bool> matches, int missing)
    {
        public Func<string, bool> Matches { get; } = matches;

        public int Missing { get; set; } = missing;

        public TaskCompletionSource Logged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The log as a person reads it at <paramref name="minimum"/>: the entries at that level or above, and the service
    /// messages, which go to standard output at any level. One entry a line, for a snapshot: a CR or LF inside an entry
    /// shows as \r or \n, so that an entry which would break its line, or start another, shows.
    /// </summary>
    public string ShownAt(LogEventLevel minimum)
        => string.Join('\n', _lines
            .Where(line => line.StartsWith("OUT ", StringComparison.Ordinal) || LevelOf(line) >= minimum)
            .Select(static line => line.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)));

    private static LogEventLevel LevelOf(string line) => line[..3] switch
    {
        "VRB" => LogEventLevel.Verbose,
        "INF" => LogEventLevel.Information,
        _ => LogEventLevel.Warning,
    };

    /// <summary>The log at Information, then at Verbose, in one text: what a snapshot of a push's log pins.</summary>
    public string AtInformationAndVerbose()
        => $"At Information:\n{ShownAt(LogEventLevel.Information)}\n\nAt Verbose:\n{ShownAt(LogEventLevel.Verbose)}";
}

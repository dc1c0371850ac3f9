using Serilog;

namespace Ecr.Internal.Logging;

/// <summary>The Nuke face's sink: Serilog's static Log, which a Nuke build (or any host) configures.</summary>
internal sealed class SerilogPushLog : IPushLog
{
    public static SerilogPushLog Instance { get; } = new();

    public void Verbose(string message) => Log.Verbose("{Message:l}", message);

    public void Information(string message) => Log.Information("{Message:l}", message);

    public void Warning(string message) => Log.Warning("{Message:l}", message);

    // CI agents read these commands from the process's standard output, unformatted, at the start of a line.
    public void ServiceMessage(string line) => Console.Out.WriteLine(line);
}

using Serilog;

namespace Ecr.Internal.Logging;

/// <summary>The one sink of both faces: a Serilog logger, by default the static Log that a Nuke build configures.</summary>
internal sealed class SerilogPushLog(ILogger logger) : IPushLog
{
    public void Verbose(string message) => logger.Verbose("{Message:l}", message);

    public void Information(string message) => logger.Information("{Message:l}", message);

    public void Warning(string message) => logger.Warning("{Message:l}", message);

    // CI agents read these commands from the process's standard output, unformatted, at the start of a line.
    public void ServiceMessage(string line) => Console.Out.WriteLine(line);
}

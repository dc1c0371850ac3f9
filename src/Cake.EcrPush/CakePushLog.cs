using Cake.Core.Diagnostics;
using Ecr.Internal;

namespace Cake.EcrPush;

/// <summary>The Cake face's sink: Cake's own log, at Cake's verbosity.</summary>
internal sealed class CakePushLog(ICakeLog log) : IPushLog
{
    // Messages are passed as an argument, never as the format: a brace in an image name must not break them.
    public void Verbose(string message) => log.Write(Verbosity.Verbose, LogLevel.Verbose, "{0}", message);

    public void Information(string message) => log.Write(Verbosity.Normal, LogLevel.Information, "{0}", message);

    public void Warning(string message) => log.Write(Verbosity.Minimal, LogLevel.Warning, "{0}", message);

    // CI agents read these commands from the process's standard output, unformatted, at the start of a line.
    public void ServiceMessage(string line) => Console.Out.WriteLine(line);
}

// A push as a plain program writes it: `EcrPush SOURCE REPOSITORY [--serilog]`, with the AWS set-up and DOCKER_HOST
// from the environment. With --serilog it first configures Serilog's static Log, as a Nuke build does, to a sink of
// its own that marks each line.
using Ecr;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using static Ecr.EcrTasks;

if (args.Contains("--serilog"))
{
    Log.Logger = new LoggerConfiguration().WriteTo.Sink(new MarkedConsole()).CreateLogger();
}

try
{
    var pushed = EcrPush(_ => _.SetSourceImageName(args[0]).SetRepositoryName(args[1]).EnableAutoCreateRepository());
    Console.WriteLine($"result: {pushed.ImageReference}");
    return 0;
}
catch (EcrPushException exception)
{
    Console.WriteLine($"failed: {exception.Message}");
    return 1;
}

/// <summary>Writes each Serilog event as <c>[serilog] message</c>.</summary>
internal sealed class MarkedConsole : ILogEventSink
{
    public void Emit(LogEvent logEvent) => Console.WriteLine("[serilog] " + logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
}

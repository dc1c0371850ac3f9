using Cake.Core.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace Cake.EcrPush;

/// <summary>Hands the push's Serilog messages to Cake's own log, at Cake's verbosity.</summary>
internal sealed class CakeLogSink(ICakeLog log) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var (verbosity, level) = logEvent.Level switch
        {
            LogEventLevel.Verbose or LogEventLevel.Debug => (Verbosity.Verbose, LogLevel.Verbose),
            LogEventLevel.Information => (Verbosity.Normal, LogLevel.Information),
            LogEventLevel.Warning => (Verbosity.Minimal, LogLevel.Warning),
            _ => (Verbosity.Quiet, LogLevel.Error),
        };

        // The text is passed as an argument, never as the format: a brace in an image name must not break it.
        log.Write(verbosity, level, "{0}", logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}

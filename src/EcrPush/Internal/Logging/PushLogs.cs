namespace Ecr.Internal.Logging;

/// <summary>Where a push's messages go: the Logger setting, else Serilog's static Log, else, when nothing configured that, the console.</summary>
internal static class PushLogs
{
    public static IPushLog For(Serilog.ILogger? logger)
        => logger is not null ? new SerilogPushLog(logger)
            : IsUnconfigured(Serilog.Log.Logger) ? ConsolePushLog.Instance
            : new SerilogPushLog(Serilog.Log.Logger);

    // Serilog's static Log starts as Logger.None (and returns to it after CloseAndFlush): a program that never set it
    // would see nothing of a push at all. A Nuke build sets it; the Cake addin passes a logger of its own.
    private static bool IsUnconfigured(Serilog.ILogger logger) => ReferenceEquals(logger, Serilog.Core.Logger.None);
}

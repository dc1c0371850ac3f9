namespace Ecr.Internal.Logging;

/// <summary>
/// The push's progress as plain console lines, for a program that configured no logger: Information and warnings,
/// not the Verbose detail. Warnings go to standard error, so that a script that reads the output sees only progress.
/// </summary>
internal sealed class ConsolePushLog : IPushLog
{
    public static ConsolePushLog Instance { get; } = new();

    private ConsolePushLog()
    {
    }

    public void Verbose(string message)
    {
    }

    public void Information(string message) => Console.Out.WriteLine(message);

    public void Warning(string message) => Console.Error.WriteLine("Warning: " + message);

    public void ServiceMessage(string line) => Console.Out.WriteLine(line);
}

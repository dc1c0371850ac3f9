namespace Ecr.Internal;

/// <summary>
/// The one sink every engine message goes through: Serilog's static Log for the Nuke face, Cake's log for
/// the Cake face. Messages are plain text already formatted and free of secrets.
/// </summary>
internal interface IPushLog
{
    void Verbose(string message);

    void Information(string message);

    void Warning(string message);

    /// <summary>Writes a line to standard output as-is: CI service messages (masks, output variables).</summary>
    void ServiceMessage(string line);
}

namespace Ecr.IntegrationTests;

/// <summary>Captures what is written to standard output (CI service messages) during one test.</summary>
internal sealed class ConsoleCapture : IDisposable
{
    // Not ours to dispose: it is the process's standard output, put back on Dispose.
#pragma warning disable CA2213
    private readonly TextWriter _original = Console.Out;
#pragma warning restore CA2213
    private readonly StringWriter _captured = new();

    public ConsoleCapture() => Console.SetOut(TextWriter.Synchronized(_captured));

    public string Text => _captured.ToString();

    public void Dispose()
    {
        Console.SetOut(_original);
        _captured.Dispose();
    }
}

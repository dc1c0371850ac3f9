namespace Ecr.IntegrationTests;

/// <summary>Sets process variables for one test and puts the old values back after it.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly List<(string Name, string? Value)> _previous = [];

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _previous.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in Enumerable.Reverse(_previous))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}

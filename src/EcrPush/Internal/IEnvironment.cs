namespace Ecr.Internal;

/// <summary>
/// What the engine reads from the process: variables, files, the clock. Injected so that unit tests can
/// describe a CI agent or an AWS profile without touching the real process.
/// </summary>
internal interface IEnvironment
{
    string? GetVariable(string name);

    /// <summary>The clock: token expiry, session names, the push's inactivity limit.</summary>
    TimeProvider Time { get; }

    string HomeDirectory { get; }
}

internal sealed class ProcessEnvironment : IEnvironment
{
    public static ProcessEnvironment Instance { get; } = new();

    public string? GetVariable(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public TimeProvider Time => TimeProvider.System;

    public string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
}

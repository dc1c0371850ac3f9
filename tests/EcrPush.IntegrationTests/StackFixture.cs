using System.Collections.Concurrent;
using Ecr.TestStack;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Ecr.IntegrationTests;

/// <summary>
/// One local ECR stand-in (dockerd, a registry per region, moto) for the whole collection, reached the way a
/// user's build reaches AWS: through the standard environment variables. Every log line at Verbose is kept,
/// so that the secret check can read all of them. When the stack cannot start, every test fails with the reason.
/// </summary>
public sealed class StackFixture : IAsyncLifetime, ILogEventSink
{
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

    public LocalEcrStack Stack { get; private set; } = null!;

    /// <summary>Every line logged since the stack started, across tests.</summary>
    public string AllLog => string.Join('\n', _log);

    public async Task InitializeAsync()
    {
        Stack = await LocalEcrStack.StartAsync();
        foreach (var (name, value) in Stack.AwsEnvironment)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        // The tests assert the engine's own defaults, not a CI's, even when they run on one.
        foreach (var name in new[] { "TF_BUILD", "GITHUB_ACTIONS", "TEAMCITY_VERSION", "DOCKER_HOST", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN" })
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, null);
        }

        Environment.SetEnvironmentVariable("DOCKER_HOST", Stack.DockerHost);
        Log.Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();
    }

    public async Task DisposeAsync()
    {
        await Log.CloseAndFlushAsync();
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        _log.Enqueue($"{logEvent.Level} {logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)}{(logEvent.Exception is null ? "" : " " + logEvent.Exception)}");
    }

    /// <summary>A place in the log: its <see cref="LogMark.Text"/> is what was logged after it.</summary>
    public LogMark Mark() => new(() => _log.ToArray(), _log.Count);
}

/// <summary>The lines logged since a mark was taken.</summary>
public sealed class LogMark(Func<string[]> lines, int start)
{
    public string Text => string.Join('\n', lines().Skip(start));
}

[CollectionDefinition(Name)]
public sealed class StackCollectionDefinition : ICollectionFixture<StackFixture>
{
    public const string Name = "Local ECR stack";
}

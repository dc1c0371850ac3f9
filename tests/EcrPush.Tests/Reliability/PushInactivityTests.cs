using Docker.DotNet.Models;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Reliability;

/// <summary>
/// The engine waits without any limit for a registry that took a request and never answers; the push stops after
/// a stretch with no message from it at all. Each message restarts the clock, so a long push that keeps reporting
/// (layers at 512 KiB steps, the engine's once-a-second "Retrying in N seconds") is never cut.
/// </summary>
public sealed class PushInactivityTests
{
    [Fact]
    public void Messages_keep_the_push_alive_past_the_limit_and_silence_then_stops_it()
    {
        var time = new ManualTime();
        var messages = new List<JSONMessage>();
        using var watch = new PushInactivityWatch(new Collect(messages), TimeSpan.FromSeconds(60), CancellationToken.None, time);

        // Twelve messages 50 s apart: ten minutes in all, ten times the limit, yet never 60 s without one.
        for (var i = 0; i < 12; i++)
        {
            watch.Report(new JSONMessage { ID = "5f70bf18a086", Status = $"Retrying in {12 - i} seconds" });
            time.Advance(TimeSpan.FromSeconds(50));
            Assert.False(watch.Token.IsCancellationRequested, $"cut after message {i + 1}");
        }

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(watch.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(watch.Token.IsCancellationRequested);
        Assert.True(watch.TimedOut);
        Assert.Equal("5f70bf18a086: Retrying in 1 seconds", watch.LastMessage);
        Assert.Equal(12, messages.Count);
    }

    [Fact]
    public void Without_any_message_the_limit_counts_from_the_start()
    {
        var time = new ManualTime();
        using var watch = new PushInactivityWatch(new Collect([]), TimeSpan.FromSeconds(60), CancellationToken.None, time);

        time.Advance(TimeSpan.FromSeconds(60));

        Assert.True(watch.TimedOut);
        Assert.Null(watch.LastMessage);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_taken_for_silence()
    {
        using var caller = new CancellationTokenSource();
        using var watch = new PushInactivityWatch(new Collect([]), TimeSpan.FromMinutes(5), caller.Token);

        await caller.CancelAsync();

        Assert.True(watch.Token.IsCancellationRequested);
        Assert.False(watch.TimedOut);
    }

    [Fact]
    public void A_message_after_the_push_ended_is_harmless()
    {
        var messages = new List<JSONMessage>();
        var watch = new PushInactivityWatch(new Collect(messages), TimeSpan.FromMinutes(5), CancellationToken.None);
        watch.Dispose();

        var thrown = Record.Exception(() => watch.Report(new JSONMessage { Status = "late" }));

        Assert.Null(thrown);
        Assert.Equal("late", Assert.Single(messages).Status);
        Assert.Equal("late", watch.LastMessage);
    }

    [Theory]
    [InlineData(null, 300.0)]
    [InlineData("3", 3.0)]
    [InlineData(" 2.5 ", 2.5)]
    [InlineData("0", -1.0)]
    public void The_limit_comes_from_the_environment_variable(string? value, double seconds)
    {
        var environment = new FakeEnvironment { [DockerEngine.InactivityTimeoutVariable] = value };

        // Connect checks that the socket file is there; a plain file stands in for it (nothing is called).
        var socket = Path.GetTempFileName();
        try
        {
            var engine = DockerEngine.Connect(new Uri("unix://" + socket), new Ecr.Internal.EngineOptions(), environment);

            Assert.Equal(seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds), engine.InactivityTimeout);
        }
        finally
        {
            File.Delete(socket);
        }
    }

    [Theory]
    [InlineData("ten")]
    [InlineData("-1")]
    [InlineData("90000")]
    public void A_limit_that_is_not_a_number_of_seconds_is_an_error_naming_the_variable(string value)
    {
        var environment = new FakeEnvironment { [DockerEngine.InactivityTimeoutVariable] = value };

        var exception = Assert.Throws<EcrPushException>(() => DockerEngine.ReadInactivityTimeout(environment));

        Assert.Contains($"{DockerEngine.InactivityTimeoutVariable} is '{value}'", exception.Message, StringComparison.Ordinal);
    }

    private sealed class Collect(List<JSONMessage> messages) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => messages.Add(value);
    }
}

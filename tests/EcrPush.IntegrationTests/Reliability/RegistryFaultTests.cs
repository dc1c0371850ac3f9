using System.Diagnostics;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Faults between the engine and the registry, injected by <see cref="RegistryFront"/> on a stack of their own:
/// what the engine absorbs by itself, what ends the push with a clear error, and how long each takes.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class RegistryFaultTests : IClassFixture<FrontedStackFixture>, IDisposable
{
    private const int Layer = 2 * 1024 * 1024;

    // DockerEngine.InactivityTimeoutVariable, as a user sets it.
    private const string InactivityLimit = "ECRPUSH_PUSH_INACTIVITY_TIMEOUT";

    private readonly StackFixture _fixture;
    private readonly FrontedStackFixture _fronted;
    private readonly ITestOutputHelper _output;

    public RegistryFaultTests(StackFixture fixture, FrontedStackFixture fronted, ITestOutputHelper output)
    {
        _fixture = fixture;
        _fronted = fronted;
        _output = output;
        Front.Reset();
    }

    private RegistryFront Front => _fronted.Front;

    public void Dispose() => Front.Reset();

    /// <summary>
    /// The engine retries a failed layer upload by its own rules (5 tries, 5 to 20 s apart), which are not EcrPush's to
    /// test: what EcrPush promises is that such a push ends whole, within a bound, with its tags removed from the engine.
    /// </summary>
    [Fact]
    public async Task A_reset_and_a_503_during_layer_uploads_still_end_in_the_whole_image_within_a_minute_with_no_tag_left_in_the_engine()
    {
        var imageId = await _fronted.Stack.BuildImageAsync("rel-flaky:1", layers: 3, bytesPerLayer: Layer);
        var repository = StackChecks.NewRepository("flaky");
        var uploads = 0;
        Front.Faults = request => !request.IsBlobUpload || !request.Path.StartsWith($"/v2/{repository}/", StringComparison.Ordinal) ? FrontFault.Pass : Interlocked.Increment(ref uploads) switch
        {
            1 => FrontFault.ResetAfter(64 * 1024),
            2 => FrontFault.Answer(503),
            _ => FrontFault.Pass,
        };
        var log = _fixture.Mark();
        var clock = Stopwatch.StartNew();

        var result = await EcrTasks.EcrPushAsync(_fronted.Settings("rel-flaky", repository)).WaitAsync(TimeSpan.FromSeconds(60));

        clock.Stop();
        _output.WriteLine($"pushed in {clock.Elapsed.TotalSeconds:0.00} s; {Front.Requests.Count(r => r.IsBlobUpload && r.Path.StartsWith($"/v2/{repository}/", StringComparison.Ordinal))} uploads for 4 blobs");
        Assert.Equal(["1"], await StackChecks.RegistryTagsAsync(_fronted.Stack, FrontedStackFixture.Region, repository));

        // Both faults reached the push (a test the faults missed would prove nothing), and it ended whole anyway.
        Assert.True(uploads >= 3, $"{uploads} uploads: the reset and the 503 did not both happen");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(60));
        Assert.Contains($"Information Pushed {_fronted.Host}/{repository}:1 ({result.Digest}) in ", log.Text, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.EngineTagsForAsync(_fronted.Stack, $"{_fronted.Host}/{repository}:"));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(_fronted.Stack, FrontedStackFixture.Region, result.DigestReference));
    }

    [Fact]
    public async Task A_registry_that_refuses_the_manifest_ends_the_push_at_once_naming_the_registry_and_its_answer_and_leaves_no_tag()
    {
        await _fronted.Stack.BuildImageAsync("rel-refused:1", layers: 2, bytesPerLayer: 64 * 1024);
        var repository = StackChecks.NewRepository("refused");
        Front.Faults = request => request.IsManifestPut ? FrontFault.Answer(503) : FrontFault.Pass;
        var log = _fixture.Mark();
        var clock = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(_fronted.Settings("rel-refused", repository)).WaitAsync(TimeSpan.FromSeconds(60)));

        _output.WriteLine($"failed in {clock.Elapsed.TotalSeconds:0.00} s: {exception.Message}");

        // The engine does not retry a manifest: one try, an error within seconds.
        Assert.Equal(1, Front.Requests.Count(r => r.IsManifestPut));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.Contains($"to {_fronted.Host} failed", exception.Message, StringComparison.Ordinal);
        Assert.Contains("503", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.EngineTagsForAsync(_fronted.Stack, $"{_fronted.Host}/{repository}:"));
        Assert.Empty(await StackChecks.RegistryTagsAsync(_fronted.Stack, FrontedStackFixture.Region, repository));

        // The repository this push created stays, and both the log and the message say so.
        Assert.Contains($"Created the repository {_fronted.Host}/{repository}", log.Text, StringComparison.Ordinal);
        Assert.Contains($"The repository {_fronted.Host}/{repository} was created by this push and stays", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_takes_an_upload_and_never_answers_is_stopped_by_the_inactivity_limit_and_leaves_no_tag()
    {
        await _fronted.Stack.BuildImageAsync("rel-silent:1", layers: 2, bytesPerLayer: 256 * 1024);
        var repository = StackChecks.NewRepository("silent");
        Front.Faults = request => request.IsBlobUpload ? FrontFault.Hang : FrontFault.Pass;
        using var limit = new EnvironmentScope((InactivityLimit, "3"));
        var clock = Stopwatch.StartNew();

        // The engine alone waits for ever (measured: still waiting after 40 s); the bound here only keeps a
        // regression from hanging the suite.
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(_fronted.Settings("rel-silent", repository)).WaitAsync(TimeSpan.FromSeconds(30)));

        _output.WriteLine($"stopped in {clock.Elapsed.TotalSeconds:0.00} s: {exception.Message}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(12));
        Assert.Contains($"to {_fronted.Host} was stopped: the Docker engine reported nothing for 3 s", exception.Message, StringComparison.Ordinal);
        Assert.Contains(InactivityLimit, exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.EngineTagsForAsync(_fronted.Stack, $"{_fronted.Host}/{repository}:"));
    }

    [Fact]
    public async Task Cancelling_in_the_middle_of_a_push_returns_within_two_seconds_and_removes_the_tags_it_made()
    {
        await _fronted.Stack.BuildImageAsync("rel-cancel:1", layers: 10, bytesPerLayer: Layer);
        var repository = StackChecks.NewRepository("cancel");

        // 256 KiB/s for each of the engine's five uploads at a time: 20 MiB would take about 16 s.
        Front.UploadBytesPerSecond = 256 * 1024;
        using var cancellation = new CancellationTokenSource();
        var push = EcrTasks.EcrPushAsync(_fronted.Settings("rel-cancel", repository).SetTargetTags("1", "2"), cancellation.Token);

        var waited = Stopwatch.StartNew();
        var start = Front.UploadedBytes;
        while (Front.UploadedBytes - start < 1024 * 1024 && !push.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        Assert.False(push.IsCompleted, $"the push ended before it was cancelled: {push.Exception?.InnerException?.Message}");
        var tagsDuringPush = await StackChecks.EngineTagsForAsync(_fronted.Stack, $"{_fronted.Host}/{repository}:");
        var clock = Stopwatch.StartNew();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => push.WaitAsync(TimeSpan.FromSeconds(30)));

        clock.Stop();
        _output.WriteLine($"cancelled {waited.Elapsed.TotalSeconds:0.0} s into the push, {(Front.UploadedBytes - start) / 1024} KiB up; returned {clock.Elapsed.TotalMilliseconds:0} ms after the cancel");
        Assert.Equal([$"{_fronted.Host}/{repository}:1"], tagsDuringPush);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Empty(await StackChecks.EngineTagsForAsync(_fronted.Stack, $"{_fronted.Host}/{repository}:"));
        Assert.Empty(await StackChecks.RegistryTagsAsync(_fronted.Stack, FrontedStackFixture.Region, repository));
    }
}

using Ecr.IntegrationTests.Reliability;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// What a damaged layout or archive, and a registry that resets in the middle of a blob, do to an engine-free push:
/// one clear error naming the file and what is wrong, and nothing half done (no tag, no repository for a bad input).
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EngineFreeBadInputTests : IClassFixture<FrontedStackFixture>, IDisposable
{
    private const string Region = "us-east-1";
    private readonly StackFixture _fixture;
    private readonly FrontedStackFixture _fronted;
    private readonly ScratchFolders _folders = new();

    public EngineFreeBadInputTests(StackFixture fixture, FrontedStackFixture fronted)
    {
        _fixture = fixture;
        _fronted = fronted;
        _fronted.Front.Reset();
    }

    private LocalEcrStack Stack => _fixture.Stack;

    public void Dispose()
    {
        _fronted.Front.Reset();
        _folders.Dispose();
    }

    [Fact]
    public async Task A_truncated_docker_archive_is_named_as_truncated_and_leaves_no_repository()
    {
        await Stack.BuildImageAsync("it-truncated:1", layers: 2, bytesPerLayer: 256 * 1024);
        var archive = Path.Combine(Folder("truncated"), "image.tar");
        await SourceTools.DockerSaveAsync(Stack, "it-truncated:1", archive);
        await using (var file = new FileStream(archive, FileMode.Open))
        {
            file.SetLength(file.Length * 6 / 10);
        }

        var repository = StackChecks.NewRepository("truncated");
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(s => s.SetSourceImageArchive(archive).SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.Contains($"The image archive {archive} cannot be unpacked: it is truncated or damaged", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("was created by this push", exception.Message, StringComparison.Ordinal);
        await AssertNoRepositoryAsync(repository);
    }

    [Fact]
    public async Task A_layer_whose_bytes_do_not_match_its_digest_is_named_and_never_completes_its_upload()
    {
        await Stack.BuildImageAsync("it-corrupt:1", layers: 1, bytesPerLayer: 300 * 1024);
        var layout = Path.Combine(Folder("corrupt"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-corrupt:1", $"oci:{layout}:1");
        var layer = new DirectoryInfo(Path.Combine(layout, "blobs", "sha256")).EnumerateFiles().MaxBy(f => f.Length)!;
        await using (var file = new FileStream(layer.FullName, FileMode.Open))
        {
            file.Position = file.Length / 2;
            var b = file.ReadByte();
            file.Position = file.Length / 2;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        var repository = StackChecks.NewRepository("corrupt");
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.Contains($"The blob file {layer.FullName} does not match its digest sha256:{layer.Name}", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith($"Nothing was tagged in {Stack.RegistryHost(Region)}/{repository}. The repository {Stack.RegistryHost(Region)}/{repository} was created by this push and stays, without this image; delete it, or push again.", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        using var registry = Stack.CreateRegistryClient(Region);
        using var ask = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/sha256:{layer.Name}");
        using var head = await registry.SendAsync(ask);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task A_missing_blob_is_named_before_anything_moves()
    {
        await Stack.BuildImageAsync("it-missing:1", layers: 2);
        var layout = Path.Combine(Folder("missing"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-missing:1", $"oci:{layout}:1");
        var layer = new DirectoryInfo(Path.Combine(layout, "blobs", "sha256")).EnumerateFiles().MaxBy(f => f.Length)!;
        layer.Delete();

        var repository = StackChecks.NewRepository("missing");
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(s => s.SetSourceOciLayout($"{layout}:1").SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.Contains($"The OCI layout {layout} lacks the blob sha256:{layer.Name} (no file {layer.FullName})", exception.Message, StringComparison.Ordinal);
        await AssertNoRepositoryAsync(repository);
    }

    [Fact]
    public async Task A_registry_that_resets_in_the_middle_of_a_blob_is_retried_and_the_image_lands_whole()
    {
        var stack = _fronted.Stack;
        await stack.BuildImageAsync("it-reset:1", layers: 2, bytesPerLayer: 1024 * 1024);
        var layout = Path.Combine(Folder("reset"), "oci");
        await SourceTools.SkopeoFromEngineAsync(stack, "it-reset:1", $"oci:{layout}:1");
        var puts = 0;
        _fronted.Front.Faults = request => !IsBlobPut(request) ? FrontFault.Pass : Interlocked.Increment(ref puts) == 2 ? FrontFault.ResetAfter(256 * 1024) : FrontFault.Pass;
        var repository = StackChecks.NewRepository("reset");
        var log = _fixture.Mark();

        // One blob at a time, config first: the second upload is the first layer's (1 MiB), reset a quarter of the way in.
        var result = await FrontedPushAsync(s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).SetUploadParallelism(1).EnableAutoCreateRepository());

        Assert.Equal(4, _fronted.Front.Requests.Count(IsBlobPut));
        Assert.Contains("(attempt 1 of 4): ", log.Text, StringComparison.Ordinal);
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(stack, FrontedStackFixture.Region, repository));
        Assert.Equal(await SourceTools.LayoutConfigDigestAsync(layout, "1"), await StackChecks.PullBackAsync(stack, FrontedStackFixture.Region, result.DigestReference));
    }

    [Fact]
    public async Task A_registry_that_resets_every_blob_ends_the_push_after_four_attempts_with_no_tag()
    {
        var stack = _fronted.Stack;
        await stack.BuildImageAsync("it-resets:1", layers: 1, bytesPerLayer: 512 * 1024);
        var layout = Path.Combine(Folder("resets"), "oci");
        await SourceTools.SkopeoFromEngineAsync(stack, "it-resets:1", $"oci:{layout}:1");
        _fronted.Front.Faults = request => IsBlobPut(request) ? FrontFault.ResetAfter(64 * 1024) : FrontFault.Pass;
        var repository = StackChecks.NewRepository("resets");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => FrontedPushAsync(s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).SetUploadParallelism(1).EnableAutoCreateRepository()));

        Assert.StartsWith($"The registry {_fronted.Host} could not be reached, or the connection broke, when asked to upload ", exception.Message, StringComparison.Ordinal);
        Assert.Contains("(after 4 attempts). Nothing was tagged in ", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.RegistryTagsAsync(stack, FrontedStackFixture.Region, repository));
        Assert.DoesNotContain(_fronted.Front.Requests, r => r.IsManifestPut);
    }

    [Fact]
    public async Task Cancelling_in_the_middle_of_the_blobs_stops_the_push_at_once_with_no_tag_and_no_manifest()
    {
        var stack = _fronted.Stack;
        await stack.BuildImageAsync("it-cancel:1", layers: 2, bytesPerLayer: 2 * 1024 * 1024);
        var layout = Path.Combine(Folder("cancel"), "oci");
        await SourceTools.SkopeoFromEngineAsync(stack, "it-cancel:1", $"oci:{layout}:1");
        _fronted.Front.UploadBytesPerSecond = 256 * 1024;
        var repository = StackChecks.NewRepository("cancel");
        using var cancel = new CancellationTokenSource();
        var push = FrontedPushAsync(s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository(), cancel.Token);
        while (!_fronted.Front.Requests.Any(IsBlobPut))
        {
            await Task.Delay(50);
        }

        await Task.Delay(500);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => push);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Empty(await StackChecks.RegistryTagsAsync(stack, FrontedStackFixture.Region, repository));
        Assert.DoesNotContain(_fronted.Front.Requests, r => r.IsManifestPut);
    }

    [Fact]
    public async Task A_registry_that_takes_a_blob_and_never_answers_is_stopped_by_the_inactivity_limit_with_no_tag()
    {
        var stack = _fronted.Stack;
        await stack.BuildImageAsync("it-hang:1", layers: 1, bytesPerLayer: 256 * 1024);
        var layout = Path.Combine(Folder("hang"), "oci");
        await SourceTools.SkopeoFromEngineAsync(stack, "it-hang:1", $"oci:{layout}:1");
        _fronted.Front.Faults = request => IsBlobPut(request) ? FrontFault.Hang : FrontFault.Pass;
        var repository = StackChecks.NewRepository("hang");
        using var limit = new EnvironmentScope(("ECRPUSH_PUSH_INACTIVITY_TIMEOUT", "2"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => FrontedPushAsync(s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Contains($"The registry {_fronted.Host} was asked to upload sha256:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("went 2 s without answering or taking a byte", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ECRPUSH_PUSH_INACTIVITY_TIMEOUT", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.RegistryTagsAsync(stack, FrontedStackFixture.Region, repository));
        Assert.DoesNotContain(_fronted.Front.Requests, r => r.IsManifestPut);
    }

    private static bool IsBlobPut(FrontRequest request) => request.Method == "PUT" && request.Path.Contains("/blobs/uploads/", StringComparison.Ordinal);

    private Task<EcrPushResult> PushAsync(Func<EcrPushSettings, EcrPushSettings> configure)
        => SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), configure(new EcrPushSettings()));

    /// <summary>Through the front: one connection per request (no pooling), so that the front sees, and can fault, each one.</summary>
    private Task<EcrPushResult> FrontedPushAsync(Func<EcrPushSettings, EcrPushSettings> configure, CancellationToken cancellationToken = default)
        => SourceTools.PushAsync(
            _fronted.Stack,
            _fronted.Stack.EngineRegistryEndPoint(FrontedStackFixture.Region),
            configure(new EcrPushSettings().SetRegion(FrontedStackFixture.Region).SetEcrEndpointUrl(_fronted.Stack.EcrEndpoint.ToString())),
            handler => handler.PooledConnectionLifetime = TimeSpan.Zero,
            cancellationToken);

    private async Task AssertNoRepositoryAsync(string repository)
    {
        var repositories = await StackChecks.EcrApiAsync(Stack, Region, "DescribeRepositories", "{}");
        Assert.DoesNotContain(repositories.GetProperty("repositories").EnumerateArray(), r => r.GetProperty("repositoryName").GetString() == repository);
    }

    private string Folder(string name) => _folders.New(name);
}

using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Sources;

/// <summary>
/// The engine-free push's steps that need no registry: immutable tags decided from the layout's own digests before any
/// byte moves. Any connection to the registry fails the test.
/// </summary>
public sealed class PusherArtifactTests : IDisposable
{
    private readonly FakeEcr _ecr = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly TestLayout _layout = new();
    private int _connections;

    public void Dispose() => _layout.Dispose();

    private Pusher CreatePusher()
        => new(_ecr, _ => throw new InvalidOperationException("An engine-free push must not connect to an engine."), new TokenCache(_environment), _environment, _log)
        {
            ConfigureRegistryHandler = handler => handler.ConnectCallback = (_, _) =>
            {
                Interlocked.Increment(ref _connections);
                throw new HttpRequestException("no registry in this test");
            },
        };

    [Fact]
    public async Task An_immutable_tag_that_holds_this_image_needs_no_upload_and_the_result_is_the_tag_s_digest()
    {
        var (manifest, config) = _layout.ManifestWithConfig(withMediaType: true, layerText: "same");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: "1");
        await _layout.WriteIndexAsync();
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image(manifest, config) });

        var result = await CreatePusher().PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1").SetRepositoryName("team/web").SetTargetTags("1.4.2"), CancellationToken.None);

        Assert.Equal(manifest, result.Digest);
        Assert.Equal(0, _connections);
        Assert.Contains(_log.Lines, l => l.Contains("already holds this image", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_immutable_tag_that_holds_another_image_is_an_error_before_any_byte_moves()
    {
        var manifest = _layout.Manifest(withMediaType: true, layerText: "new");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image("sha256:" + new string('b', 64), "sha256:" + new string('c', 64)) });

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName("team/web").SetTargetTags("1.4.2"), CancellationToken.None));

        Assert.Contains("has IMMUTABLE tags, and this tag already holds another image", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was pushed", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, _connections);
    }

    [Fact]
    public async Task A_registry_that_cannot_be_reached_ends_the_push_after_four_attempts_naming_the_host()
    {
        var manifest = _layout.Manifest(withMediaType: true, layerText: "unreachable");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        _ecr.AddRepository("team/web");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName("team/web").SetUploadParallelism(1), CancellationToken.None));

        Assert.StartsWith($"The registry {FakeEcr.Host} could not be reached, or the connection broke, when asked to check the blob ", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith($": no registry in this test ({FakeEcr.Host}:443) (after 4 attempts). Nothing was tagged in {FakeEcr.Host}/team/web.", exception.Message, StringComparison.Ordinal);
        Assert.Equal(4, _connections);
    }

    [Fact]
    public async Task A_damaged_layout_creates_no_repository_and_says_nothing_was_pushed()
    {
        var manifest = _layout.Manifest(withMediaType: true, layerText: "damaged");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        File.Delete(Directory.GetFiles(Path.Combine(_layout.Path, "blobs", "sha256")).First(f => !manifest.EndsWith(Path.GetFileName(f), StringComparison.Ordinal)));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName("team/new").EnableAutoCreateRepository(), CancellationToken.None));

        Assert.StartsWith($"The OCI layout {_layout.Path} lacks the blob sha256:", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith("The layout is incomplete; write it again. Nothing was pushed.", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, _ecr.CreateCalls);
        Assert.Equal(0, _connections);
    }
}

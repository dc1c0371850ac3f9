using System.Text;
using System.Text.Json.Nodes;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Images;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Snapshots.Manifests;

/// <summary>
/// Each kind of manifest and index EcrPush writes itself, as the registry received it: every byte, pushed through the
/// push's own steps into the registry in memory. What it writes shows here first: "+json" rather than "\u002Bjson",
/// schemaVersion and mediaType first, compact; and what it must not touch (a promoted manifest) is shown beside what was read.
/// The layouts here are written with System.Text.Json's default escaping ("\u002B"), as some tools write them: a manifest
/// EcrPush writes anew is its own writer's, one it pushes as it is keeps its bytes.
/// </summary>
public sealed class ManifestTests : IDisposable
{
    private const string Host = FakeEcr.Host;

    private readonly FakeEcr _ecr = new();
    private readonly FakeRegistry _registry = new();
    private readonly TestLayout _layout = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("ecrpush-manifests-").FullName;

    public ManifestTests()
    {
        _ecr.AddRepository("team/web");
        _ecr.AddRepository("team/prod");
    }

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>An index of two platforms and an attestation of one, pushed for one platform: the index is written anew with that platform's entry and its attestation.</summary>
    [Fact]
    public async Task A_platform_filtered_index_from_a_layout()
    {
        var amd = _layout.Manifest(withMediaType: true, layerText: "amd64");
        var arm = _layout.Manifest(withMediaType: true, layerText: "arm64");
        var attestation = _layout.Manifest(withMediaType: true, layerText: "attestation of arm64");
        var index = _layout.Index(
            _layout.Descriptor(amd, new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }),
            _layout.Descriptor(arm, new JsonObject { ["os"] = "linux", ["architecture"] = "arm64", ["variant"] = "v8" }),
            _layout.Descriptor(attestation, new JsonObject { ["os"] = "unknown", ["architecture"] = "unknown" }, new JsonObject { ["vnd.docker.reference.type"] = "attestation-manifest", ["vnd.docker.reference.digest"] = arm }));
        _layout.Entry(index, "application/vnd.oci.image.index.v1+json", refName: "1.4.2");
        await _layout.WriteIndexAsync();

        await PushAsync(new EcrPushSettings().SetSourceOciLayout($"{_layout.Path}:1.4.2").SetPlatforms("linux/arm64/v8"));

        var written = Written("team/web");
        Assert.NotEqual(index, FakeRegistry.DigestOf(written.Bytes));
        Assert.Equal([arm, attestation], JsonNode.Parse(written.Bytes)!["manifests"]!.AsArray().Select(entry => (string)entry!["digest"]!));
        Assert.NotNull(_registry.Manifest(Host, "team/web", arm));
        Assert.Null(_registry.Manifest(Host, "team/web", amd));
        await Verify(Shown("As in the layout", Read(index), "application/vnd.oci.image.index.v1+json") + "\n\n" + Shown("As pushed to team/web:1.4.2", written.Bytes, written.MediaType));
    }

    /// <summary>ECR refuses an OCI manifest without its top-level mediaType (containers/image#584): it is written with one, so with a new digest.</summary>
    [Fact]
    public async Task A_manifest_given_its_missing_mediaType()
    {
        var manifest = _layout.Manifest(withMediaType: false, layerText: "no media type");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();

        await PushAsync(new EcrPushSettings().SetSourceOciLayout(_layout.Path));

        var written = Written("team/web");
        Assert.Null(JsonNode.Parse(Read(manifest))!["mediaType"]);
        Assert.Equal(TestLayout.OciManifest, (string?)JsonNode.Parse(written.Bytes)!["mediaType"]);
        await Verify(Shown("As in the layout", Read(manifest), TestLayout.OciManifest) + "\n\n" + Shown("As pushed to team/web:1.4.2", written.Bytes, written.MediaType));
    }

    /// <summary>
    /// A docker-archive (docker save) becomes a Docker v2 manifest of the saved config and gzip-compressed layers. A
    /// compressed layer's size depends on the runtime's zlib, so that one number is scrubbed; its digest is, as every digest.
    /// </summary>
    [Fact]
    public async Task A_docker_archive_converted_to_a_Docker_v2_manifest()
    {
        var (archive, config) = await TestArchive.DockerAsync(_folder, [TestArchive.LayerTar("hello.txt", "hello"), TestArchive.LayerTar("world.txt", "world")], gzip: false);

        await PushAsync(new EcrPushSettings().SetSourceImageArchive(archive));

        var written = Written("team/web");
        Assert.Equal(MediaTypes.DockerManifest, written.MediaType);
        Assert.Equal(FakeRegistry.DigestOf(config), (string?)JsonNode.Parse(written.Bytes)!["config"]!["digest"]);
        await Verify(Shown("As pushed to team/web:1.4.2", written.Bytes, written.MediaType)).AddScrubber(SnapshotScrubbers.ScrubCompressedLayerSizes);
    }

    /// <summary>
    /// An image in ECR copied into another repository is written as it was read, byte for byte, so that its digest stays.
    /// Its manifest is indented as Docker's registry writes one, so that any writing anew, even of the same JSON, shows.
    /// </summary>
    [Fact]
    public async Task A_promoted_manifest_written_as_it_was_read()
    {
        var config = Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""");
        var layer = Encoding.UTF8.GetBytes("the layer of the promoted image");
        _registry.AddBlob(Host, "team/web", config);
        _registry.AddBlob(Host, "team/web", layer);
        var mediaType = MediaTypes.DockerManifest;
        var bytes = Encoding.UTF8.GetBytes($$"""
            {
               "schemaVersion": 2,
               "mediaType": "{{mediaType}}",
               "config": {
                  "mediaType": "application/vnd.docker.container.image.v1+json",
                  "size": {{config.Length}},
                  "digest": "{{FakeRegistry.DigestOf(config)}}"
               },
               "layers": [
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": {{layer.Length}},
                     "digest": "{{FakeRegistry.DigestOf(layer)}}"
                  }
               ]
            }
            """.ReplaceLineEndings("\n"));
        using (var registry = new HttpClient(_registry, disposeHandler: false))
        using (var put = new ByteArrayContent(bytes))
        {
            put.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
            (await registry.PutAsync(new Uri($"https://{Host}/v2/team/web/manifests/rc"), put)).EnsureSuccessStatusCode();
        }

        var digest = FakeRegistry.DigestOf(bytes);
        _ecr.AddManifest("team/web", "rc", new EcrManifest(Encoding.UTF8.GetString(bytes), mediaType, digest, FakeEcr.Account));

        var result = await PushAsync(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("rc"), repository: "team/prod");

        var written = Written("team/prod");
        Assert.Equal(bytes, written.Bytes);
        Assert.Equal(digest, result.Digest);
        await Verify(Shown("Read from team/web:rc", bytes, mediaType) + "\n\n" + Shown("Written to team/prod:1.4.2", written.Bytes, written.MediaType));
    }

    private Task<EcrPushResult> PushAsync(EcrPushSettings settings, string repository = "team/web")
    {
        var environment = new FakeEnvironment();
        return new Pusher(_ecr, _ => throw new InvalidOperationException("These sources need no engine."), new TokenCache(environment), environment, new RecordingLog()) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits }
            .PushAsync(settings.SetRepositoryName(repository).SetTargetTags("1.4.2"), CancellationToken.None);
    }

    private (byte[] Bytes, string MediaType) Written(string repository) => _registry.Manifest(Host, repository, "1.4.2") ?? throw new InvalidOperationException($"Nothing was tagged 1.4.2 in {repository}.");

    private byte[] Read(string digest) => File.ReadAllBytes(_layout.BlobPath(digest));

    /// <summary>A manifest as a registry holds it: its media type and digest, then its bytes exactly (UTF-8, one line as written).</summary>
    private static string Shown(string title, byte[] bytes, string mediaType) => $"{title} ({mediaType}, {FakeRegistry.DigestOf(bytes)}):\n{Encoding.UTF8.GetString(bytes)}";
}

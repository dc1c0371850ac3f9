using System.Text;
using System.Text.Json.Nodes;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Snapshots.Errors;

/// <summary>
/// What a push says of an OCI layout or an image archive it cannot push, one snapshot per failure: each written here
/// byte by byte (<see cref="TestLayout"/>, <see cref="TestArchive"/>) and pushed through the push's own steps, so that
/// the text is the one a user reads, with "Nothing was pushed." after the reader's.
/// </summary>
public sealed class ImageFileErrorTests : IDisposable
{
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";
    private const string OtherDigest = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly TestLayout _layout = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("ecrpush-archive-errors-").FullName;

    public void Dispose()
    {
        _layout.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly Dictionary<string, Func<ImageFileErrorTests, Task>> Failures = new(StringComparer.Ordinal)
    {
        ["Layout_index_json_not_JSON"] = t => t.LayoutAsync(index: "{\"schemaVersion\":2,\"manifests\":["),
        ["Layout_without_the_digest_asked_for"] = t => t.LayoutAsync(t.Image("v1"), suffix: "@" + OtherDigest),
        ["Layout_without_the_name_asked_for"] = t => t.LayoutAsync(t.Image("v1"), suffix: ":v2"),
        ["Layout_with_two_images_of_the_name"] = t => t.LayoutAsync(t.Image("v1", "one"), suffix: ":v1", more: t.Image("v1", "two")),
        ["Layout_without_an_image"] = t => t.LayoutAsync(() => { }),
        ["Layout_with_two_images_and_no_name"] = t => t.LayoutAsync(t.Image("v1", "one"), more: t.Image("v2", "two")),
        ["Layout_entry_without_a_digest"] = t => t.LayoutAsync(index: """{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":2}]}"""),
        ["Layout_entry_not_an_image"] = t => t.LayoutAsync(t.Entry("""{"schemaVersion":2,"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip"}""", "application/vnd.cncf.helm.chart.content.v1.tar+gzip")),
        ["Layout_manifest_without_a_config"] = t => t.LayoutAsync(t.Entry("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""")),
        ["Layout_index_without_the_platform_asked_for"] = t => t.LayoutAsync(t.IndexOf("linux/amd64", "linux/arm64"), platforms: ["linux/s390x"]),
        ["Layout_index_holding_an_index"] = t => t.LayoutAsync(t.IndexHoldingAnIndex()),
        ["Layout_digest_not_sha256"] = t => t.LayoutAsync(index: """{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha512:abcdef","size":2}]}"""),
        ["Layout_without_the_manifest_blob"] = t => t.LayoutAsync(index: $$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{OtherDigest}}","size":2}]}"""),
        ["Layout_manifest_too_large"] = t => t.LayoutAsync(t.Entry(new string(' ', 5 * 1024 * 1024))),
        ["Layout_manifest_not_its_digest"] = t => t.LayoutAsync(t.Image("v1"), after: () => File.AppendAllText(t._layout.BlobPath(t._manifest!), " ")),
        ["Layout_manifest_not_the_size_index_json_says"] = t => t.LayoutAsync(t.Image("v1"), after: t.FirstEntrySized(7)),
        ["Layout_manifest_not_JSON"] = t => t.LayoutAsync(t.Entry("a manifest, honestly")),
        ["Layout_blob_without_a_digest"] = t => t.LayoutAsync(t.Entry("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2},"layers":[]}""")),
        ["Layout_without_a_layer_blob"] = t => t.LayoutAsync(t.Image("v1"), after: () => File.Delete(t._layout.BlobPath(TestLayout.Digest(Encoding.UTF8.GetBytes("the layer"))))),
        ["Layout_layer_not_the_size_its_manifest_says"] = t => t.LayoutAsync(t.Image("v1"), after: () => File.AppendAllText(t._layout.BlobPath(TestLayout.Digest(Encoding.UTF8.GetBytes("the layer"))), " and more")),
        ["Archive_of_no_image"] = t => t.ArchiveAsync(("README.md", "not an image")),
        ["Archive_truncated"] = t => t.TruncatedArchiveAsync(),
        ["Archive_manifest_json_not_JSON"] = t => t.ArchiveAsync(("manifest.json", "[{\"Config\":")),
        ["Archive_manifest_json_without_an_image"] = t => t.ArchiveAsync(("manifest.json", "[]")),
        ["Archive_image_without_Config_or_Layers"] = t => t.ArchiveAsync(("manifest.json", """[{"RepoTags":["web:1"]}]""")),
        ["Archive_config_with_other_layers_than_manifest_json"] = t => t.DockerArchiveAsync(diffIds: []),
        ["Archive_layer_not_what_the_config_says"] = t => t.DockerArchiveAsync(diffIds: ["sha256:" + new string('0', 64)]),
        ["Archive_naming_a_file_outside_it"] = t => t.DockerArchiveAsync(layerNames: ["../../etc/passwd"]),
        ["Archive_without_a_file_manifest_json_lists"] = t => t.ArchiveAsync(("manifest.json", """[{"Config":"config.json","Layers":["layer0/layer.tar"]}]"""), ("config.json", """{"rootfs":{"type":"layers","diff_ids":["sha256:aaaa"]}}""")),
    };

    private string? _manifest;

    public static TheoryData<string> FailureNames => new(Failures.Keys);

    [Theory]
    [MemberData(nameof(FailureNames))]
    public async Task Failure(string name)
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Failures[name](this));

        Assert.EndsWith("Nothing was pushed.", exception.Message, StringComparison.Ordinal);
        await Verify(exception.Message).UseTextForParameters(name);
    }

    /// <summary>An image of one config and one layer ("the layer", or <paramref name="layer"/>) in the layout, named <paramref name="name"/>.</summary>
    private Action Image(string name, string layer = "the layer") => () =>
    {
        _manifest = _layout.Manifest(withMediaType: true, layerText: layer);
        _layout.Entry(_manifest, TestLayout.OciManifest, refName: name);
    };

    /// <summary>A blob of the given text, listed in index.json.</summary>
    private Action Entry(string text, string mediaType = TestLayout.OciManifest) => () => _layout.Entry(_layout.Blob(Encoding.UTF8.GetBytes(text)).Digest, mediaType, refName: null);

    /// <summary>index.json's first entry says the manifest has <paramref name="size"/> bytes.</summary>
    private Action FirstEntrySized(long size) => () =>
    {
        var path = Path.Combine(_layout.Path, "index.json");
        var index = JsonNode.Parse(File.ReadAllText(path))!;
        index["manifests"]![0]!["size"] = size;
        File.WriteAllText(path, index.ToJsonString());
    };

    private Action IndexOf(params string[] platforms) => () =>
    {
        var children = platforms.Select(platform => _layout.Descriptor(_layout.Manifest(true, platform), new JsonObject { ["os"] = platform.Split('/')[0], ["architecture"] = platform.Split('/')[1] })).ToArray();
        _layout.Entry(_layout.Index(children), OciIndex, refName: null);
    };

    private Action IndexHoldingAnIndex() => () =>
    {
        var inner = _layout.Index(_layout.Descriptor(_layout.Manifest(true, "inner"), new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" }));
        var outer = _layout.Index(new JsonObject { ["mediaType"] = OciIndex, ["digest"] = inner, ["size"] = new FileInfo(_layout.BlobPath(inner)).Length, ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" } });
        _layout.Entry(outer, OciIndex, refName: null);
    };

    /// <summary>Pushes the layout: its images written by <paramref name="write"/> and <paramref name="more"/>, index.json written (or given as <paramref name="index"/>), then changed by <paramref name="after"/>.</summary>
    private async Task LayoutAsync(Action? write = null, string suffix = "", Action? more = null, Action? after = null, string? index = null, string[]? platforms = null)
    {
        write?.Invoke();
        more?.Invoke();
        if (index is null)
        {
            await _layout.WriteIndexAsync();
        }
        else
        {
            await File.WriteAllTextAsync(Path.Combine(_layout.Path, "index.json"), index);
        }

        after?.Invoke();
        await PushAsync(new EcrPushSettings().SetSourceOciLayout(_layout.Path + suffix).SetPlatforms(platforms ?? []));
    }

    private async Task ArchiveAsync(params (string Name, string Content)[] entries)
    {
        var path = Path.Combine(_folder, "web.tar");
        await TestArchive.TarAsync(path, gzip: false, entries.Select(entry => (entry.Name, Encoding.UTF8.GetBytes(entry.Content))));
        await PushAsync(new EcrPushSettings().SetSourceImageArchive(path));
    }

    private async Task DockerArchiveAsync(IReadOnlyList<string>? diffIds = null, IReadOnlyList<string>? layerNames = null)
    {
        var (archive, _) = await TestArchive.DockerAsync(_folder, [TestArchive.LayerTar("hello.txt", "hello")], gzip: false, diffIds, layerNames);
        await PushAsync(new EcrPushSettings().SetSourceImageArchive(archive));
    }

    private async Task TruncatedArchiveAsync()
    {
        var (archive, _) = await TestArchive.DockerAsync(_folder, [TestArchive.LayerTar("a.txt", new string('a', 10_000))], gzip: true);
        var bytes = await File.ReadAllBytesAsync(archive);
        await File.WriteAllBytesAsync(archive, bytes[..(bytes.Length / 2)]);
        await PushAsync(new EcrPushSettings().SetSourceImageArchive(archive));
    }

    private static async Task PushAsync(EcrPushSettings settings)
    {
        var ecr = new FakeEcr();
        ecr.AddRepository("team/web");
        var environment = new FakeEnvironment();
        using var registry = new FakeRegistry();
        await new Pusher(ecr, _ => throw new InvalidOperationException("An image file is pushed without an engine."), new TokenCache(environment), environment, new RecordingLog()) { RegistryHandler = () => registry, RetryPolicy = TestRegistries.NoWaits }
            .PushAsync(settings.SetRepositoryName("team/web").SetTargetTags("1.4.2"), CancellationToken.None);
    }
}

using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// Images pushed without an engine, from what real tools write (skopeo's OCI layouts and archives, docker save's
/// docker-archive), to the stand-in's registry; each is pulled back through the engine by digest and must have the
/// same image ID as the original.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EngineFreeSourcesTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    private string Host => Stack.RegistryHost(Region);

    public void Dispose()
    {
        _folders.Dispose();
    }

    [Fact]
    public async Task An_OCI_layout_from_skopeo_pushes_two_tags_and_pulls_back_with_the_same_image_id()
    {
        var imageId = await Stack.BuildImageAsync("it-layout:1", layers: 3);
        var layout = Path.Combine(Folder("layout"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-layout:1", $"oci:{layout}:v1");
        var repository = StackChecks.NewRepository("layout");

        var result = await PushAsync(s => s.SetSourceOciLayout($"{layout}:v1").SetRepositoryName(repository).SetTargetTags("1.0", "latest").EnableAutoCreateRepository());

        Assert.Equal([$"{Host}/{repository}:1.0", $"{Host}/{repository}:latest"], result.AllImageReferences);
        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Empty(result.FirstDestination.Platforms);
        Assert.Equal(["1.0", "latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        await AssertSameImageAsLayoutAsync(layout, "v1", imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task A_docker_archive_from_docker_save_is_compressed_on_the_way_and_pulls_back_with_the_same_image_id()
    {
        var imageId = await Stack.BuildImageAsync("it-saved:1", layers: 2, bytesPerLayer: 512 * 1024);
        var archive = Path.Combine(Folder("saved"), "image.tar");
        await SourceTools.DockerSaveAsync(Stack, "it-saved:1", archive);
        var repository = StackChecks.NewRepository("saved");

        var result = await PushAsync(s => s.SetSourceImageArchive(archive).SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository());

        Assert.Equal(["1"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
        Assert.Equal(result.Digest, Digest(await ManifestAsync(repository, "1")));
    }

    [Fact]
    public async Task An_OCI_archive_from_skopeo_gzip_compressed_pushes_and_a_second_push_uploads_nothing_new()
    {
        var imageId = await Stack.BuildImageAsync("it-ociarchive:1", layers: 2);
        var folder = Folder("ociarchive");
        var tar = Path.Combine(folder, "image.tar");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-ociarchive:1", $"oci-archive:{tar}:app");
        var gz = tar + ".gz";
        await using (var input = File.OpenRead(tar))
        await using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }

        var repository = StackChecks.NewRepository("ociarchive");
        var settings = new EcrPushSettings().SetSourceImageArchive($"{gz}:app").SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository();

        var first = await SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), settings);
        var log = fixture.Mark();
        var second = await SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), settings);

        Assert.Equal(first.Digest, second.Digest);
        Assert.Contains("Uploaded 0 of 3 blobs", log.Text, StringComparison.Ordinal);
        var unpacked = Path.Combine(folder, "unpacked");
        Directory.CreateDirectory(unpacked);
        await System.Formats.Tar.TarFile.ExtractToDirectoryAsync(tar, unpacked, overwriteFiles: false);
        await AssertSameImageAsLayoutAsync(unpacked, "app", imageId, await StackChecks.PullBackAsync(Stack, Region, first.DigestReference));
    }

    [Fact]
    public async Task A_two_platform_index_lands_whole_children_first_and_the_result_lists_each_platform()
    {
        await Stack.BuildImageAsync("it-amd:1", layers: 1);
        await Stack.BuildImageAsync("it-arm:1", layers: 2);
        var layout = Path.Combine(Folder("index"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-amd:1", $"oci:{layout}:amd");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-arm:1", $"oci:{layout}:arm");
        var indexDigest = await MakeIndexAsync(layout, "multi", ("amd", "linux", "amd64", null), ("arm", "linux", "arm64", "v8"));
        var repository = StackChecks.NewRepository("index");

        var result = await PushAsync(s => s.SetSourceOciLayout($"{layout}:multi").SetRepositoryName(repository).SetTargetTags("2.0").EnableAutoCreateRepository());

        Assert.Equal(indexDigest, result.Digest);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], result.FirstDestination.Platforms.Select(p => p.Platform));
        var index = await ManifestAsync(repository, "2.0");
        Assert.Equal(indexDigest, Digest(index));
        var manifests = JsonNode.Parse(index)!["manifests"]!.AsArray();
        Assert.Equal(result.FirstDestination.Platforms.Select(p => p.Digest), manifests.Select(m => (string)m!["digest"]!));
        foreach (var platform in result.FirstDestination.Platforms)
        {
            Assert.Equal(platform.Digest, Digest(await ManifestAsync(repository, platform.Digest)));
        }

        var raw = await SkopeoInspectRawAsync($"{repository}:2.0");
        Assert.Equal(indexDigest, Digest(raw));
    }

    [Fact]
    public async Task Platforms_keeps_only_the_platforms_asked_for_in_a_new_index()
    {
        await Stack.BuildImageAsync("it-amd2:1", layers: 1);
        await Stack.BuildImageAsync("it-arm2:1", layers: 1);
        var layout = Path.Combine(Folder("filter"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-amd2:1", $"oci:{layout}:amd");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-arm2:1", $"oci:{layout}:arm");
        var whole = await MakeIndexAsync(layout, "multi", ("amd", "linux", "amd64", null), ("arm", "linux", "arm64", "v8"));
        var repository = StackChecks.NewRepository("filter");

        var result = await PushAsync(s => s.SetSourceOciLayout($"{layout}:multi").SetPlatforms("linux/arm64/v8").SetRepositoryName(repository).SetTargetTags("arm").EnableAutoCreateRepository());

        Assert.NotEqual(whole, result.Digest);
        var pushed = result.FirstDestination.Platforms.Single();
        Assert.Equal("linux/arm64/v8", pushed.Platform);
        var index = JsonNode.Parse(await ManifestAsync(repository, "arm"))!;
        Assert.Equal(pushed.Digest, (string)index["manifests"]!.AsArray().Single()!["digest"]!);
        Assert.Equal(result.Digest, Digest(await ManifestAsync(repository, "arm")));
    }

    /// <summary>Rewrites index.json so that <paramref name="name"/> is an index of the named images with these platforms.</summary>
    internal static async Task<string> MakeIndexAsync(string layout, string name, params (string RefName, string Os, string Architecture, string? Variant)[] entries)
    {
        var top = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!.AsObject();
        var manifests = new JsonArray();
        foreach (var (refName, os, architecture, variant) in entries)
        {
            var entry = top["manifests"]!.AsArray().Single(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == refName)!.DeepClone().AsObject();
            entry.Remove("annotations");
            var platform = new JsonObject { ["architecture"] = architecture, ["os"] = os };
            if (variant is not null)
            {
                platform["variant"] = variant;
            }

            entry["platform"] = platform;
            manifests.Add(entry);
        }

        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = manifests };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(index);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", "sha256", digest[7..]), bytes);
        top["manifests"]!.AsArray().Add(new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["digest"] = digest,
            ["size"] = bytes.Length,
            ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = name },
        });
        await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), top.ToJsonString());
        return digest;
    }

    /// <summary>
    /// skopeo writes an OCI config of its own making for an engine image (so its digest, the image ID, is not the
    /// engine's): what pulls back must be the layout's image, whose ID is its config digest, with the engine image's layers.
    /// </summary>
    private async Task AssertSameImageAsLayoutAsync(string layout, string refName, string engineImageId, string pulledId)
    {
        var top = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
        var entry = top["manifests"]!.AsArray().Single(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == refName)!;
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", ((string)entry["digest"]!)[7..])))!;
        var configDigest = (string)manifest["config"]!["digest"]!;
        Assert.Equal(configDigest, pulledId);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", configDigest[7..])))!;
        using var engine = StackChecks.Engine(Stack);
        var original = await engine.Images.InspectImageAsync(engineImageId);
        Assert.Equal(original.RootFS.Layers, config["rootfs"]!["diff_ids"]!.AsArray().Select(d => (string)d!));
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private Task<EcrPushResult> PushAsync(Func<EcrPushSettings, EcrPushSettings> configure)
        => SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), configure(new EcrPushSettings()));

    private string Folder(string name) => _folders.New(name);

    /// <summary>The manifest or index as the registry holds it, asked for with every media type the push writes.</summary>
    private async Task<byte[]> ManifestAsync(string repository, string reference)
    {
        using var client = Stack.CreateRegistryClient(Region);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
        foreach (var type in new[] { "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json" })
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET {repository}/manifests/{reference}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>
    /// <c>skopeo inspect --raw</c> as a user runs it, inside the engine's mount namespace (where the ECR host name
    /// resolves to the stand-in) with the stack's authority as its certificate folder.
    /// </summary>
    private async Task<byte[]> SkopeoInspectRawAsync(string reference)
    {
        var engine = SourceTools.EnginePid(Stack);
        var certs = Folder("certs");
        File.Copy(Path.Combine(Stack.StateDirectory, "tls", "ca.crt"), Path.Combine(certs, "ca.crt"));
        var text = await SourceTools.RunAsync("nsenter", [$"--mount=/proc/{engine}/ns/mnt", "--", "skopeo", "inspect", "--raw", "--cert-dir", certs, "--creds", $"AWS:{LocalEcrStack.RegistryPassword}", $"docker://{Host}/{reference}"]);
        return System.Text.Encoding.UTF8.GetBytes(text.TrimEnd('\n'));
    }
}

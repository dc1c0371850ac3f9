using System.Security.Cryptography;
using System.Text.Json;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// An image already in ECR as the source (issue 13's promote / retag without pulling): into its own repository a new
/// tag is BatchGetImage + PutImage of the same manifest, with no blob moving; into another repository or region the
/// image is copied registry to registry. The digest stays the same and what pulls back through the engine is the
/// same image. The stand-in's ECR API front makes a PutImage pullable from the registry, as ECR's shared storage does.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EcrImageSourceTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private const string OtherRegion = "eu-west-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose()
    {
        _folders.Dispose();
    }

    [Fact]
    public async Task An_engine_image_promoted_to_new_tags_in_its_repository_moves_no_blob_and_pulls_back_by_tag_and_digest_with_the_same_image_id()
    {
        var imageId = await Stack.BuildImageAsync("it-promote:1", layers: 2);
        var repository = StackChecks.NewRepository("promote");
        var pushed = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-promote:1").SetRepositoryName(repository).SetTargetTags("rc").EnableAutoCreateRepository());
        var before = RequestsTo(Region, repository).Count;
        var log = fixture.Mark();

        var promoted = await PushAsync(s => s.SetSourceRepositoryName(repository).SetSourceImageTag("rc").SetRepositoryName(repository).SetTargetTags("1.0", "stable"));

        Assert.Equal(pushed.Digest, promoted.Digest);
        Assert.Equal([$"{Host(Region)}/{repository}:1.0", $"{Host(Region)}/{repository}:stable"], promoted.AllImageReferences);
        Assert.False(promoted.FirstDestination.RepositoryCreated);

        // Not one request reached the registry from a client: no blob check, no upload, no manifest PUT.
        Assert.Empty(RequestsTo(Region, repository).Skip(before));
        Assert.Contains("tagging it with PutImage, no blob moves", log.Text, StringComparison.Ordinal);
        Assert.Equal(["1.0", "rc", "stable"], (await StackChecks.RegistryTagsAsync(Stack, Region, repository)).Order(StringComparer.Ordinal));
        Assert.Equal([("1.0", pushed.Digest), ("rc", pushed.Digest), ("stable", pushed.Digest)], await ImageTagsAsync(Region, repository));

        // Pulled back into an engine that no longer has the image: by the new tag, then by digest.
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, $"{Host(Region)}/{repository}:stable"));
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, promoted.DigestReference));
    }

    [Fact]
    public async Task An_image_promoted_to_another_repository_and_another_region_keeps_its_digest_and_a_second_copy_moves_no_blob()
    {
        var imageId = await Stack.BuildImageAsync("it-copy:1", layers: 3);
        var source = StackChecks.NewRepository("copysrc");
        var pushed = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-copy:1").SetRepositoryName(source).SetTargetTags("rc").EnableAutoCreateRepository());
        var target = StackChecks.NewRepository("copydst");
        var settings = new EcrPushSettings().SetSourceRepositoryName(source).SetSourceImageDigest(pushed.Digest)
            .SetRepositoryName(target).SetTargetTags("1.0").AddDestinations(new EcrDestination(OtherRegion)).EnableAutoCreateRepository();

        var copied = await PushAsync(_ => settings);

        Assert.Equal([Region, OtherRegion], copied.Destinations.Select(d => d.Region));
        Assert.All(copied.Destinations, d => Assert.Equal(pushed.Digest, d.Digest));
        Assert.All(copied.Destinations, d => Assert.True(d.RepositoryCreated));
        Assert.Contains(RequestsTo(OtherRegion, target), r => r.IsBlobUpload && r.Status == 201);
        Assert.Equal([("1.0", pushed.Digest)], await ImageTagsAsync(OtherRegion, target));
        Assert.Equal([("1.0", pushed.Digest)], await ImageTagsAsync(Region, target));
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, OtherRegion, $"{Host(OtherRegion)}/{target}@{pushed.Digest}"));
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, $"{Host(Region)}/{target}:1.0"));

        // Every blob is in both destinations now: checked with HEAD, none read or uploaded again.
        var before = RequestsTo(OtherRegion, target).Count;
        var log = fixture.Mark();
        var again = await PushAsync(_ => settings.SetTargetTags("1.1"));
        Assert.Equal(pushed.Digest, again.Digest);
        Assert.DoesNotContain(RequestsTo(OtherRegion, target).Skip(before), r => r.IsBlobUploadStart || r.IsBlobUpload);
        Assert.Equal(2, log.Text.Split($"Uploaded 0 of 4 blobs from {Host(Region)}/{source}").Length - 1);
    }

    [Fact]
    public async Task A_two_platform_index_is_promoted_whole_in_its_repository_and_to_another_region()
    {
        await Stack.BuildImageAsync("it-pamd:1", layers: 1);
        await Stack.BuildImageAsync("it-parm:1", layers: 2);
        var layout = Path.Combine(Folder("pindex"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-pamd:1", $"oci:{layout}:amd");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-parm:1", $"oci:{layout}:arm");
        var indexDigest = await EngineFreeSourcesTests.MakeIndexAsync(layout, "multi", ("amd", "linux", "amd64", null), ("arm", "linux", "arm64", "v8"));
        var repository = StackChecks.NewRepository("pindex");
        await PushAsync(s => s.SetSourceOciLayout($"{layout}:multi").SetRepositoryName(repository).SetTargetTags("rc").EnableAutoCreateRepository());

        var retagged = await PushAsync(s => s.SetSourceRepositoryName(repository).SetSourceImageTag("rc").SetRepositoryName(repository).SetTargetTags("2.0"));
        var copied = await PushAsync(s => s.SetSourceRepositoryName(repository).SetSourceImageTag("rc").SetSourceRegion(Region).SetRegion(OtherRegion).SetRepositoryName(repository).SetTargetTags("2.0").EnableAutoCreateRepository());

        Assert.Equal(indexDigest, retagged.Digest);
        Assert.Equal(indexDigest, copied.Digest);
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], retagged.FirstDestination.Platforms.Select(p => p.Platform));
        Assert.Equal(retagged.FirstDestination.Platforms, copied.FirstDestination.Platforms);
        Assert.Equal(indexDigest, Digest(await SkopeoInspectRawAsync(Region, $"{repository}:2.0")));
        var raw = await SkopeoInspectRawAsync(OtherRegion, $"{repository}:2.0");
        Assert.Equal(indexDigest, Digest(raw));
        foreach (var platform in copied.FirstDestination.Platforms)
        {
            Assert.Equal(platform.Digest, Digest(await SkopeoInspectRawAsync(OtherRegion, $"{repository}@{platform.Digest}")));
        }
    }

    [Fact]
    public async Task Promoting_onto_an_immutable_tag_that_holds_another_image_fails_naming_tag_and_repository_and_moves_nothing()
    {
        var firstId = await Stack.BuildImageAsync("it-pimm:1");
        var otherId = await Stack.BuildImageAsync("it-pimm:2", layers: 2);
        var repository = StackChecks.NewRepository("pimm");
        var first = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pimm:1").SetRepositoryName(repository).SetTargetTags("1.0").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable));
        var candidate = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pimm:2").SetRepositoryName(repository).SetTargetTags("rc"));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(s => s.SetSourceRepositoryName(repository).SetSourceImageTag("rc").SetRepositoryName(repository).SetTargetTags("1.0")));

        Assert.Contains($"The repository {first.FirstDestination.RepositoryUri} has IMMUTABLE tags, and this tag already holds another image: 1.0 holds {first.Digest} (image {firstId})", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"This image is {otherId}. Nothing was pushed.", exception.Message, StringComparison.Ordinal);
        Assert.Equal([("1.0", first.Digest), ("rc", candidate.Digest)], await ImageTagsAsync(Region, repository));
    }

    [Fact]
    public async Task The_stand_ins_PutImage_refuses_an_existing_immutable_tag_with_ECRs_ImageTagAlreadyExistsException_and_touches_no_registry()
    {
        await Stack.BuildImageAsync("it-pput:1");
        await Stack.BuildImageAsync("it-pput:2", layers: 2);
        var repository = StackChecks.NewRepository("pput");
        var first = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pput:1").SetRepositoryName(repository).SetTargetTags("1.0").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable));
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pput:2").SetRepositoryName(repository).SetTargetTags("rc"));
        var rc = (await StackChecks.EcrApiAsync(Stack, Region, "BatchGetImage", $$"""{"repositoryName":"{{repository}}","imageIds":[{"imageTag":"rc"}]}""")).GetProperty("images")[0];

        var (status, body) = await RawEcrCallAsync(Region, "PutImage", new Dictionary<string, string> { ["repositoryName"] = repository, ["imageTag"] = "1.0", ["imageManifest"] = rc.GetProperty("imageManifest").GetString()! });

        Assert.Equal(400, status);
        Assert.Equal("ImageTagAlreadyExistsException", body.GetProperty("__type").GetString());
        Assert.Contains($"'1.0' already exists in the '{repository}' repository", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var registry = Stack.CreateRegistryClient(Region);
        var (manifest, _) = await ImmutableTagTests.GetManifestAsync(registry, repository, "1.0");
        Assert.Equal(first.Digest, Digest(manifest));
    }

    [Fact]
    public async Task A_missing_source_image_or_repository_is_a_clear_error_and_creates_nothing()
    {
        await Stack.BuildImageAsync("it-pmiss:1");
        var source = StackChecks.NewRepository("pmiss");
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pmiss:1").SetRepositoryName(source).SetTargetTags("1").EnableAutoCreateRepository());
        var target = StackChecks.NewRepository("pmissdst");

        var noTag = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(s => s.SetSourceRepositoryName(source).SetSourceImageTag("nope").SetRepositoryName(target).EnableAutoCreateRepository()));
        var noRepository = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(s => s.SetSourceRepositoryName(source + "-gone").SetRepositoryName(target).EnableAutoCreateRepository()));

        Assert.StartsWith($"The source image {source}:nope is not in {Host(Region)}/{source} ({Region}): no image has that tag. Check SourceImageTag", noTag.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was pushed.", noTag.Message, StringComparison.Ordinal);
        Assert.StartsWith($"The source repository {source}-gone does not exist in the account's registry in {Region}: check SourceRepositoryName, SourceRegion and SourceRegistryId. Nothing was pushed.", noRepository.Message, StringComparison.Ordinal);
        var (status, body) = await RawEcrCallAsync(Region, "DescribeRepositories", new Dictionary<string, string[]> { ["repositoryNames"] = [target] });
        Assert.Equal(400, status);
        Assert.Equal("RepositoryNotFoundException", body.GetProperty("__type").GetString()!.Split('#')[^1]);
    }

    [Fact]
    public async Task A_copy_cancelled_in_the_middle_of_a_blob_leaves_no_tag_and_no_manifest_in_the_destination()
    {
        await Stack.BuildImageAsync("it-pcancel:1", layers: 3, bytesPerLayer: 1024 * 1024);
        var source = StackChecks.NewRepository("pcancelsrc");
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pcancel:1").SetRepositoryName(source).SetTargetTags("1").EnableAutoCreateRepository());
        var target = StackChecks.NewRepository("pcancel");
        using var cancel = new CancellationTokenSource();

        // One blob at a time, and every request on a connection of its own (the gateway closes each): the first
        // connection to the destination after it opened a blob upload is that blob's PUT, whose bytes stream from the
        // source. Cancelled right there (or, should the gateway not have recorded the POST yet, at a later request,
        // which is still before any manifest). Counting connections instead failed when a closed pooled connection
        // made the client open one more for the same request.
        var push = PushAsync(
            s => s.SetSourceRepositoryName(source).SetSourceImageTag("1").SetSourceRegion(Region).SetRegion(OtherRegion).SetRepositoryName(target).SetTargetTags("1").SetUploadParallelism(1).EnableAutoCreateRepository(),
            host =>
            {
                if (host == Host(OtherRegion) && RequestsTo(OtherRegion, target).Any(r => r.IsBlobUploadStart))
                {
                    cancel.Cancel();
                }
            },
            cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => push);
        Assert.Contains(RequestsTo(OtherRegion, target), r => r.IsBlobUploadStart);
        Assert.DoesNotContain(RequestsTo(OtherRegion, target), r => r.IsManifestPut);
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, OtherRegion, target));
        Assert.Empty(await ImageTagsAsync(OtherRegion, target));
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string Host(string region) => Stack.RegistryHost(region);

    private IReadOnlyList<RegistryRequest> RequestsTo(string region, string repository)
        => [.. Stack.RegistryRequests(region).Where(r => r.Target.StartsWith($"/v2/{repository}/", StringComparison.Ordinal))];

    private string Folder(string name) => _folders.New(name);

    /// <summary>Pushes as EcrTasks does, each region's ECR host reached at that region's registry on loopback (<see cref="SourceTools"/>).</summary>
    private Task<EcrPushResult> PushAsync(Func<EcrPushSettings, EcrPushSettings> configure, Action<string>? connecting = null, CancellationToken cancellationToken = default)
        => SourceTools.PushAsync(Stack, configure(new EcrPushSettings()), connecting, cancellationToken);

    /// <summary>One ECR API call as any SDK makes it, through the stack's endpoint; the status and the body, errors included.</summary>
    private async Task<(int Status, JsonElement Body)> RawEcrCallAsync<T>(string region, string operation, T body)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Stack.EcrEndpoint) { Content = new StringContent(JsonSerializer.Serialize(body)) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"AmazonEC2ContainerRegistry_V20150921.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/ecr/aws4_request, SignedHeaders=host, Signature=00");
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>DescribeImages: each tag with the digest it holds, by tag.</summary>
    private async Task<IReadOnlyList<(string Tag, string Digest)>> ImageTagsAsync(string region, string repository)
    {
        var described = await StackChecks.EcrApiAsync(Stack, region, "DescribeImages", $$"""{"repositoryName":"{{repository}}"}""");
        return [.. described.GetProperty("imageDetails").EnumerateArray()
            .SelectMany(image => image.TryGetProperty("imageTags", out var tags)
                ? tags.EnumerateArray().Select(tag => (tag.GetString()!, image.GetProperty("imageDigest").GetString()!))
                : [])
            .OrderBy(pair => pair.Item1, StringComparer.Ordinal)];
    }

    /// <summary><c>skopeo inspect --raw</c> as a user runs it, inside the engine's namespace, against the registry of <paramref name="region"/>.</summary>
    private async Task<byte[]> SkopeoInspectRawAsync(string region, string reference)
    {
        var engine = SourceTools.EnginePid(Stack);
        var certs = Folder("certs");
        File.Copy(Path.Combine(Stack.StateDirectory, "tls", "ca.crt"), Path.Combine(certs, "ca.crt"));
        var text = await SourceTools.RunAsync("nsenter", [$"--mount=/proc/{engine}/ns/mnt", "--", "skopeo", "inspect", "--raw", "--cert-dir", certs, "--creds", $"AWS:{LocalEcrStack.RegistryPassword}", $"docker://{Host(region)}/{reference}"]);
        return System.Text.Encoding.UTF8.GetBytes(text.TrimEnd('\n'));
    }
}

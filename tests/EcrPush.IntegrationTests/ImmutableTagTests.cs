using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>
/// The stand-in's registry as ECR's: what it receives is what the ECR API lists, and it refuses to move an
/// immutable tag. And EcrPush on it: the same image again passes without uploading, another image fails before any
/// upload and leaves the tag as it was.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ImmutableTagTests(StackFixture fixture)
{
    private const string Region = "us-east-1";

    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task What_the_registry_receives_is_what_DescribeImages_and_BatchGetImage_return()
    {
        var first = await Stack.BuildImageAsync("it-seen:1");
        var second = await Stack.BuildImageAsync("it-seen:2");
        var repository = StackChecks.NewRepository("seen");
        var settings = new EcrPushSettings().SetSourceImageName("it-seen").SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1", "latest").EnableAutoCreateRepository();

        var pushed = await EcrTasks.EcrPushAsync(settings);

        // Asked right after the push returns: the record is made before the registry answers the manifest PUT.
        Assert.Equal([("1", pushed.Digest), ("latest", pushed.Digest)], await ImageTagsAsync(repository));
        Assert.Equal(first, await ConfigDigestAsync(repository, "latest"));

        // A mutable tag moves, in the registry and in the ECR API alike.
        var moved = await EcrTasks.EcrPushAsync(settings.SetSourceImageTag("2").SetTargetTags("latest"));
        Assert.Equal([("1", pushed.Digest), ("latest", moved.Digest)], await ImageTagsAsync(repository));
        Assert.Equal(second, await ConfigDigestAsync(repository, "latest"));
    }

    [Fact]
    public async Task The_same_image_again_into_an_immutable_repository_passes_and_uploads_nothing()
    {
        var imageId = await Stack.BuildImageAsync("it-same:1", layers: 2);
        var repository = StackChecks.NewRepository("same");
        var settings = new EcrPushSettings().SetSourceImageName("it-same").SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1.0.0").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable);
        var first = await EcrTasks.EcrPushAsync(settings);
        var before = RequestsTo(repository).Count;
        var log = fixture.Mark();

        var second = await EcrTasks.EcrPushAsync(settings);

        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.ImageReference, second.ImageReference);
        Assert.Contains($"The immutable tag 1.0.0 already holds this image ({first.Digest}): nothing to push for it", log.Text, StringComparison.Ordinal);

        // The registry saw nothing of the second push: no upload, no manifest, not even a check of a layer.
        Assert.Empty(RequestsTo(repository).Skip(before));
        Assert.Equal([("1.0.0", first.Digest)], await ImageTagsAsync(repository));
        Assert.Equal(imageId, await ConfigDigestAsync(repository, "1.0.0"));
    }

    [Fact]
    public async Task Another_image_onto_an_immutable_tag_fails_naming_tag_and_repository_before_any_upload_and_the_tag_keeps_its_image()
    {
        var firstId = await Stack.BuildImageAsync("it-taken:1");
        var otherId = await Stack.BuildImageAsync("it-taken:2", layers: 2);
        var repository = StackChecks.NewRepository("taken");
        var settings = new EcrPushSettings().SetSourceImageName("it-taken").SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1.0.0").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable);
        var first = await EcrTasks.EcrPushAsync(settings);
        var before = RequestsTo(repository).Count;

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(settings.SetSourceImageTag("2")));

        Assert.Contains($"The repository {first.FirstDestination.RepositoryUri} has IMMUTABLE tags, and this tag already holds another image: 1.0.0 holds {first.Digest} (image {firstId})", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"This image is {otherId}. Nothing was pushed.", exception.Message, StringComparison.Ordinal);
        Assert.Empty(RequestsTo(repository).Skip(before));
        Assert.Equal([("1.0.0", first.Digest)], await ImageTagsAsync(repository));
        Assert.Equal(firstId, await ConfigDigestAsync(repository, "1.0.0"));
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{first.FirstDestination.RepositoryUri}:"));
    }

    [Fact]
    public async Task The_registry_refuses_a_manifest_PUT_onto_an_existing_immutable_tag_with_ECRs_answer()
    {
        await Stack.BuildImageAsync("it-refuse:1");
        var repository = StackChecks.NewRepository("refuse");
        var pushed = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-refuse").SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable));
        using var registry = Stack.CreateRegistryClient(Region);
        var (manifest, mediaType) = await GetManifestAsync(registry, repository, "1");

        // Even the very manifest the tag holds: ECR refuses any PUT onto an existing immutable tag.
        using var put = new ByteArrayContent(manifest);
        put.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await registry.PutAsync(new Uri($"v2/{repository}/manifests/1", UriKind.Relative), put);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0];
        Assert.Equal("TAG_INVALID", error.GetProperty("code").GetString());
        Assert.Equal($"The image tag '1' already exists in the '{repository}' repository and cannot be overwritten because the repository is immutable.", error.GetProperty("message").GetString());

        // A new tag of the same repository is taken, and recorded.
        using var again = new ByteArrayContent(manifest);
        again.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var created = await registry.PutAsync(new Uri($"v2/{repository}/manifests/2", UriKind.Relative), again);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal([("1", pushed.Digest), ("2", pushed.Digest)], await ImageTagsAsync(repository));
    }

    internal static async Task<(byte[] Manifest, string MediaType)> GetManifestAsync(HttpClient registry, string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"v2/{repository}/manifests/{tag}", UriKind.Relative));
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await registry.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType!.MediaType!);
    }

    private IReadOnlyList<RegistryRequest> RequestsTo(string repository)
        => [.. Stack.RegistryRequests(Region).Where(r => r.Target.StartsWith($"/v2/{repository}/", StringComparison.Ordinal))];

    /// <summary>DescribeImages: each tag with the digest it holds, by tag.</summary>
    private async Task<IReadOnlyList<(string Tag, string Digest)>> ImageTagsAsync(string repository)
    {
        var described = await StackChecks.EcrApiAsync(Stack, Region, "DescribeImages", $$"""{"repositoryName":"{{repository}}"}""");
        return [.. described.GetProperty("imageDetails").EnumerateArray()
            .SelectMany(image => image.TryGetProperty("imageTags", out var tags)
                ? tags.EnumerateArray().Select(tag => (tag.GetString()!, image.GetProperty("imageDigest").GetString()!))
                : [])
            .OrderBy(pair => pair.Item1, StringComparer.Ordinal)];
    }

    /// <summary>BatchGetImage: the config digest (the engine's image ID) of the manifest a tag holds.</summary>
    private async Task<string?> ConfigDigestAsync(string repository, string tag)
    {
        var found = await StackChecks.EcrApiAsync(Stack, Region, "BatchGetImage", $$"""{"repositoryName":"{{repository}}","imageIds":[{"imageTag":"{{tag}}"}]}""");
        var manifest = found.GetProperty("images")[0].GetProperty("imageManifest").GetString()!;
        return JsonDocument.Parse(manifest).RootElement.GetProperty("config").GetProperty("digest").GetString();
    }
}

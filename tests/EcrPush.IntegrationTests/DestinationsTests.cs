using System.Text.Json;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>Several destinations in one call, and creation options, on the real stack (one registry per region).</summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class DestinationsTests(StackFixture fixture)
{
    private LocalEcrStack Stack => fixture.Stack;

    /// <summary>
    /// The engine pushes the first region; the second gets a copy of what landed there, registry to registry, from this
    /// process (which reaches each region's registry on loopback, as the engine does in its namespace).
    /// </summary>
    [Fact]
    public async Task One_call_pushes_one_image_to_two_regions_with_one_digest()
    {
        var imageId = await Stack.BuildImageAsync("it-two-regions:1", layers: 2);
        var repository = StackChecks.NewRepository("two-regions");

        var result = await SourceTools.PushAsync(Stack, new EcrPushSettings()
            .SetRegion("us-east-1").AddDestinations(new EcrDestination("eu-west-1"))
            .SetSourceImageName("it-two-regions").SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1", "latest").EnableAutoCreateRepository());

        Assert.Equal(["us-east-1", "eu-west-1"], result.Destinations.Select(d => d.Region));
        Assert.Equal(
            [$"{Stack.RegistryHost("us-east-1")}/{repository}:1", $"{Stack.RegistryHost("us-east-1")}/{repository}:latest", $"{Stack.RegistryHost("eu-west-1")}/{repository}:1", $"{Stack.RegistryHost("eu-west-1")}/{repository}:latest"],
            result.AllImageReferences);
        Assert.Equal(result.Destinations[0].Digest, result.Destinations[1].Digest);
        foreach (var destination in result.Destinations)
        {
            Assert.True(destination.RepositoryCreated);
            Assert.Equal(["1", "latest"], await StackChecks.RegistryTagsAsync(Stack, destination.Region, repository));
            Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, destination.Region, destination.DigestReference));
            Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{destination.RepositoryUri}:"));
        }
    }

    /// <summary>
    /// Issue 17's second fault, set up as the test-stack recipe says: us-east-1 holds skopeo's compression of the image's
    /// layers (and the engine knows it, from a pull), eu-west-1 the engine's own. Pushed by the engine to each, the same
    /// image landed under two manifest digests. Now the second region holds a copy of the first's: one digest.
    /// </summary>
    [Fact]
    public async Task One_image_lands_under_one_digest_in_two_regions_that_hold_differently_compressed_copies_of_its_layers()
    {
        var imageId = await Stack.BuildImageAsync("it-one-digest:1", layers: 2, bytesPerLayer: 128 * 1024);
        var repository = StackChecks.NewRepository("one-digest");
        var layout = Path.Combine(Directory.CreateTempSubdirectory("ecrpush-it-one-digest-").FullName, "oci");
        try
        {
            await SourceTools.SkopeoFromEngineAsync(Stack, "it-one-digest:1", $"oci:{layout}:1");
            var skopeos = await SourceTools.PushAsync(Stack, new EcrPushSettings().SetRegion("us-east-1").SetSourceOciLayout(layout).SetRepositoryName(repository).SetTargetTags("skopeo").EnableAutoCreateRepository());
            await StackChecks.PullBackAsync(Stack, "us-east-1", skopeos.ImageReference);
            var engines = await SourceTools.PushAsync(Stack, new EcrPushSettings().SetRegion("eu-west-1").SetSourceImageName("it-one-digest:1").SetRepositoryName(repository).SetTargetTags("engine").EnableAutoCreateRepository());
            var skopeoLayers = LayersOf(await ManifestAsync("us-east-1", repository, "skopeo"));
            Assert.NotEqual(skopeoLayers, LayersOf(await ManifestAsync("eu-west-1", repository, "engine")));

            var result = await SourceTools.PushAsync(Stack, new EcrPushSettings()
                .SetRegion("us-east-1").AddDestinations(new EcrDestination("eu-west-1"))
                .SetSourceImageName("it-one-digest:1").SetRepositoryName(repository).SetTargetTags("1.0"));

            Assert.Equal(result.Destinations[0].Digest, result.Destinations[1].Digest);
            Assert.Equal(skopeoLayers, LayersOf(await ManifestAsync("eu-west-1", repository, "1.0")));
            Assert.NotEqual(engines.Digest, result.Destinations[1].Digest);
            foreach (var destination in result.Destinations)
            {
                Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, destination.Region, destination.DigestReference));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(layout)!, recursive: true);
        }
    }

    private async Task<JsonElement> ManifestAsync(string region, string repository, string tag)
    {
        using var registry = Stack.CreateRegistryClient(region);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await registry.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IReadOnlyList<string> LayersOf(JsonElement manifest)
        => [.. manifest.GetProperty("layers").EnumerateArray().Select(layer => layer.GetProperty("digest").GetString()!)];

    [Fact]
    public async Task A_created_repository_has_the_options_asked_for()
    {
        await Stack.BuildImageAsync("it-options:1");
        var repository = StackChecks.NewRepository("options");
        const string lifecycle = """{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""";

        var result = await EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-options").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository()
            .EnableScanOnPush().SetTagMutability(TagMutability.Immutable).SetEncryptionType(EncryptionType.Aes256).AddRepositoryTag("team", "web")
            .SetLifecyclePolicy(lifecycle));

        Assert.True(result.FirstDestination.RepositoryCreated);
        var described = await StackChecks.EcrApiAsync(Stack, "us-east-1", "DescribeRepositories", $$"""{"repositoryNames":["{{repository}}"]}""");
        var created = described.GetProperty("repositories")[0];
        Assert.Equal("IMMUTABLE", created.GetProperty("imageTagMutability").GetString());
        Assert.True(created.GetProperty("imageScanningConfiguration").GetProperty("scanOnPush").GetBoolean());
        Assert.Equal("AES256", created.GetProperty("encryptionConfiguration").GetProperty("encryptionType").GetString());
        var tags = await StackChecks.EcrApiAsync(Stack, "us-east-1", "ListTagsForResource", $$"""{"resourceArn":"{{created.GetProperty("repositoryArn").GetString()}}"}""");
        Assert.Contains(tags.GetProperty("tags").EnumerateArray(), t => t.GetProperty("Key").GetString() == "team" && t.GetProperty("Value").GetString() == "web");
        var policy = await StackChecks.EcrApiAsync(Stack, "us-east-1", "GetLifecyclePolicy", $$"""{"repositoryName":"{{repository}}"}""");
        Assert.Equal(JsonDocument.Parse(lifecycle).RootElement.GetRawText(), JsonDocument.Parse(policy.GetProperty("lifecyclePolicyText").GetString()!).RootElement.GetRawText());
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, "us-east-1", repository));
    }

    [Fact]
    public async Task An_existing_repository_keeps_its_settings_and_the_log_says_they_differ()
    {
        await Stack.BuildImageAsync("it-existing:1");
        var repository = StackChecks.NewRepository("existing");
        await StackChecks.EcrApiAsync(Stack, "us-east-1", "CreateRepository", $$"""{"repositoryName":"{{repository}}","imageTagMutability":"MUTABLE"}""");
        var log = fixture.Mark();

        var result = await EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-existing").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable));

        Assert.False(result.FirstDestination.RepositoryCreated);
        Assert.Contains("already exists with tag mutability MUTABLE, not IMMUTABLE; an existing repository is not changed.", log.Text, StringComparison.Ordinal);
        var described = await StackChecks.EcrApiAsync(Stack, "us-east-1", "DescribeRepositories", $$"""{"repositoryNames":["{{repository}}"]}""");
        Assert.Equal("MUTABLE", described.GetProperty("repositories")[0].GetProperty("imageTagMutability").GetString());
    }
}

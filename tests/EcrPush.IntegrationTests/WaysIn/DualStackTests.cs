using System.Collections.Concurrent;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.WaysIn;

/// <summary>
/// Dual-stack on the stand-in: the registries answer under their dual-stack names too (the engine's hosts file, the stack's
/// certificates), and the ECR API front answers under the AWS endpoints' own names over TLS, so that a push with
/// dual-stack on reaches the API and the registries by the names AWS documents, with no endpoint variable.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class DualStackTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private const string OtherRegion = "eu-west-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task Dual_stack_names_reach_the_same_registries_and_APIs_and_every_reference_uses_them()
    {
        var imageId = await Stack.BuildImageAsync("it-dual:1", layers: 2);
        var repository = StackChecks.NewRepository("dual");
        var apiHosts = new ConcurrentQueue<string>();
        var before = Stack.Sites.ToDictionary(site => site, site => Stack.RegistryRequests(site).Count);
        EcrPushResult pushed;

        // No endpoint variable: the API is reached by the name the endpoint rules give it.
        using (new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", null), ("AWS_ENDPOINT_URL_ECR_PUBLIC", null), ("AWS_USE_DUALSTACK_ENDPOINT", "true")))
        {
            pushed = await SourceTools.PushUnderAwsNamesAsync(
                Stack,
                new EcrPushSettings().SetSourceImageName("it-dual:1").SetRepositoryName(repository).SetTargetTags("1.0").SetOutputVariable("DUAL_IMAGE").EnableAutoCreateRepository()
                    .AddDestinations(new EcrDestination(OtherRegion), new EcrDestination { PublicRegistry = true }),
                apiHosts.Enqueue);
        }

        Assert.Equal(
            [$"{Stack.DualStackRegistryHost(Region)}/{repository}:1.0", $"{Stack.DualStackRegistryHost(OtherRegion)}/{repository}:1.0", $"{LocalEcrStack.PublicDualStackHostName}/{LocalEcrStack.PublicRegistryAlias}/{repository}:1.0"],
            pushed.AllImageReferences);
        Assert.Equal($"{LocalEcrStack.AccountId}.dkr-ecr.{Region}.on.aws/{repository}@{pushed.Digest}", pushed.DigestReference);
        Assert.Equal(["ecr-public.us-east-1.api.aws", $"ecr.{OtherRegion}.api.aws", $"ecr.{Region}.api.aws"], apiHosts.Distinct().Order(StringComparer.Ordinal));

        // The same registries got the image: the engine's push and the copies, each through its dual-stack name.
        foreach (var site in Stack.Sites)
        {
            Assert.Contains(Stack.RegistryRequests(site).Skip(before[site]), r => r.IsManifestPut && r.Status == 201);
        }

        Assert.Equal(["1.0"], await Stack.RegistryTagsAsync(OtherRegion, repository));
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, pushed.ImageReference));
    }
}

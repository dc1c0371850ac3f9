using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.WaysIn;

/// <summary>
/// ECR Public as a destination on the stand-in: public.ecr.aws (and its dual-stack name) resolves to a docker-registry of
/// the stack, as the private hosts do, and the stack's ECR API front answers ECR Public's API as its reference documents it
/// (moto has none of it): the token in us-east-1 only, the registry's alias from DescribeRegistries, CreateRepository with
/// its catalog data.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class PublicRegistryTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private const string OtherRegion = "eu-west-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task An_engine_image_goes_to_ECR_Public_with_its_catalog_data_and_pulls_back_as_the_same_image()
    {
        var imageId = await Stack.BuildImageAsync("it-pub:1", layers: 2);
        var repository = StackChecks.NewRepository("pub");

        var pushed = await EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-pub:1").SetRepositoryName(repository).SetTargetTags("1.0", "latest")
            .EnablePublicRegistry().EnableAutoCreateRepository()
            .SetCatalogDescription("A web front end").SetCatalogAboutText("## About\nIt serves pages.").SetCatalogUsageText("docker run public.ecr.aws/…")
            .SetCatalogArchitectures("x86-64").SetCatalogOperatingSystems("Linux"));

        var uri = $"{LocalEcrStack.PublicRegistryHostName}/{LocalEcrStack.PublicRegistryAlias}/{repository}";
        Assert.Equal([$"{uri}:1.0", $"{uri}:latest"], pushed.AllImageReferences);
        Assert.Equal(("us-east-1", true), (pushed.FirstDestination.Region, pushed.FirstDestination.RepositoryCreated));
        Assert.Equal(["1.0", "latest"], await Stack.RegistryTagsAsync(LocalEcrStack.PublicSite, $"{LocalEcrStack.PublicRegistryAlias}/{repository}"));

        // The catalog data as ECR Public holds it for the Gallery.
        var catalog = (await StackChecks.EcrPublicApiAsync(Stack, "GetRepositoryCatalogData", $$"""{"repositoryName":"{{repository}}"}""")).GetProperty("catalogData");
        Assert.Equal("A web front end", catalog.GetProperty("description").GetString());
        Assert.Equal("## About\nIt serves pages.", catalog.GetProperty("aboutText").GetString());
        Assert.Equal("docker run public.ecr.aws/…", catalog.GetProperty("usageText").GetString());
        Assert.Equal(["x86-64"], catalog.GetProperty("architectures").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["Linux"], catalog.GetProperty("operatingSystems").EnumerateArray().Select(a => a.GetString()));

        // Deleted from the engine, pulled back from the public registry: the same image.
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, LocalEcrStack.PublicSite, pushed.DigestReference));
    }

    [Fact]
    public async Task An_image_in_private_ECR_is_promoted_to_ECR_Public_registry_to_registry_with_its_digest()
    {
        var imageId = await Stack.BuildImageAsync("it-pubpromo:1", layers: 3);
        var source = StackChecks.NewRepository("pubsrc");
        var privatePush = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pubpromo:1").SetRepositoryName(source).SetTargetTags("rc").EnableAutoCreateRepository());
        var target = StackChecks.NewRepository("pubdst");
        var path = $"{LocalEcrStack.PublicRegistryAlias}/{target}";

        var promoted = await SourceTools.PushAsync(Stack, new EcrPushSettings()
            .SetSourceRepositoryName(source).SetSourceImageTag("rc").SetRepositoryName(target).SetTargetTags("1.0")
            .EnablePublicRegistry().EnableAutoCreateRepository());

        Assert.Equal(privatePush.Digest, promoted.Digest);
        Assert.Equal($"{LocalEcrStack.PublicRegistryHostName}/{path}:1.0", promoted.ImageReference);
        var requests = Stack.RegistryRequests(LocalEcrStack.PublicSite).Where(r => r.Target.StartsWith($"/v2/{path}/", StringComparison.Ordinal)).ToList();
        Assert.Contains(requests, r => r.IsBlobUpload && r.Status == 201);
        Assert.Contains(requests, r => r.IsManifestPut && r.Status == 201);
        Assert.Equal(privatePush.Digest, await Stack.ManifestDigestAsync(LocalEcrStack.PublicSite, path, "1.0"));
        Assert.False(await Stack.DeleteImageAsync(imageId));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, LocalEcrStack.PublicSite, $"{LocalEcrStack.PublicRegistryHostName}/{path}:1.0"));
    }

    [Fact]
    public async Task ECR_Public_s_token_comes_from_us_east_1_although_the_push_s_region_is_another()
    {
        await Stack.BuildImageAsync("it-pubregion:1");
        var layout = Path.Combine(_folders.New("pubregion"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-pubregion:1", $"oci:{layout}:1");
        var repository = StackChecks.NewRepository("pubregion");
        var before = Stack.PublicApiCalls.Count;

        // Keys of its own: the process's token cache holds no token for them, so this push asks ECR Public for one.
        var pushed = await SourceTools.PushAsync(Stack, new EcrPushSettings()
            .SetRegion(OtherRegion).SetSourceOciLayout($"{layout}:1").SetRepositoryName(repository).EnableAutoCreateRepository()
            .SetAwsAccessKeyId("AKIAPUBLICTOKENREGION").SetAwsSecretAccessKey("testing")
            .AddDestinations(new EcrDestination { PublicRegistry = true }));

        Assert.Equal([OtherRegion, Region], pushed.Destinations.Select(d => d.Region));
        Assert.Equal(pushed.Destinations[0].Digest, pushed.Destinations[1].Digest);
        var calls = Stack.PublicApiCalls.Skip(before).ToList();
        Assert.Contains(calls, c => c.Operation == "GetAuthorizationToken");
        Assert.All(calls, c => Assert.Equal(Region, c.SigningRegion));
    }

    [Fact]
    public async Task An_alias_of_another_account_is_a_named_error_before_any_upload()
    {
        await Stack.BuildImageAsync("it-pubalias:1");
        var repository = StackChecks.NewRepository("pubalias");
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-pubalias:1").SetRepositoryName(repository).EnablePublicRegistry().EnableAutoCreateRepository());
        var before = Stack.RegistryRequests(LocalEcrStack.PublicSite).Count;

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-pubalias:1").SetRepositoryName(repository).SetTargetTags("2").EnablePublicRegistry().SetPublicRegistryAlias("bitnami")));

        Assert.StartsWith($"PublicRegistryAlias 'bitnami' is not an active alias of the public registry {LocalEcrStack.AccountId} (its active aliases: {LocalEcrStack.PublicRegistryAlias} (primary)).", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, Stack.RegistryRequests(LocalEcrStack.PublicSite).Count);
    }
}

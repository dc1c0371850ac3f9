using System.Net;
using System.Text;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Aws;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.WaysIn;

/// <summary>
/// ECR Public as a destination, on the same destination and repository steps as a private registry: the references
/// carry <c>public.ecr.aws/&lt;alias&gt;</c> and the writer writes to <c>&lt;alias&gt;/&lt;name&gt;</c>; ECR Public's client
/// speaks its own API (target prefix, signing name, one authorization object) and settles the alias.
/// </summary>
public sealed class PublicRegistryTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly string Token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:the-public-password"));

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();

    public PublicRegistryTests()
    {
        _engine.Tags["web:1"] = ImageId;
        _engine.Registry = _registry;
    }

    public void Dispose() => _registry.Dispose();

    private Pusher CreatePusher() => new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    private static EcrPushSettings Settings => new EcrPushSettings().SetRegion("eu-west-1").SetSourceImageName("web:1").SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest");

    [Fact]
    public async Task An_engine_image_goes_to_public_ecr_aws_under_the_alias_with_the_catalog_data_on_the_repository_it_creates()
    {
        var result = await CreatePusher().PushAsync(
            Settings.EnablePublicRegistry().EnableAutoCreateRepository().SetCatalogDescription("The web front end").SetCatalogArchitectures("x86-64").SetCatalogOperatingSystems("Linux").AddRepositoryTag("team", "web"),
            CancellationToken.None);

        Assert.Equal(["public.ecr.aws/fakealias/team/web:1.4.2", "public.ecr.aws/fakealias/team/web:latest"], result.AllImageReferences);
        Assert.Equal("public.ecr.aws/fakealias/team/web", result.FirstDestination.RepositoryUri);
        Assert.Equal("us-east-1", result.FirstDestination.Region);
        Assert.True(result.FirstDestination.RepositoryCreated);

        // The engine pushed to the registry path <alias>/<name>; the API named the repository by its name.
        Assert.Equal(["public.ecr.aws/fakealias/team/web:1.4.2", "public.ecr.aws/fakealias/team/web:latest"], _engine.Pushed);
        Assert.Equal(["1.4.2", "latest"], _registry.Tags("public.ecr.aws", "fakealias/team/web"));
        var creation = Assert.Single(_ecr.PublicCreations);
        Assert.Equal("team/web", creation.RepositoryName);
        var catalog = creation.Catalog!;
        Assert.Equal(("The web front end", null, null, null), (catalog.Description, catalog.AboutText, catalog.UsageText, catalog.LogoImageBase64));
        Assert.Equal(["x86-64"], catalog.Architectures);
        Assert.Equal(["Linux"], catalog.OperatingSystems);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "web" }, creation.Tags);
        Assert.Equal(1, _ecr.CreateCalls);
    }

    [Fact]
    public async Task A_public_destination_beside_a_private_one_gets_a_copy_of_what_landed_in_the_first_with_the_same_digest()
    {
        var result = await CreatePusher().PushAsync(Settings.EnableAutoCreateRepository().AddDestinations(new EcrDestination { PublicRegistry = true }).SetPublicRegistryAlias("my-team"), CancellationToken.None);

        Assert.Equal([FakeEcr.HostOf("eu-west-1") + "/team/web", "public.ecr.aws/my-team/team/web"], result.Destinations.Select(d => d.RepositoryUri));
        Assert.Equal(result.Destinations[0].Digest, result.Destinations[1].Digest);
        Assert.Equal(_registry.Manifest(FakeEcr.HostOf("eu-west-1"), "team/web", "1.4.2")!.Value.Bytes, _registry.Manifest("public.ecr.aws", "my-team/team/web", "latest")!.Value.Bytes);
        Assert.Equal(["my-team"], _ecr.PublicConnections);
    }

    [Fact]
    public async Task An_image_in_private_ECR_is_copied_to_the_public_registry_path_with_its_digest()
    {
        var digest = _registry.AddImage(FakeEcr.Host, "team/web", "rc", "seed");
        _ecr.AddRepository("team/web");
        _ecr.AddManifest("team/web", "rc", new EcrManifest(Encoding.UTF8.GetString(_registry.Manifest(FakeEcr.Host, "team/web", "rc")!.Value.Bytes), Ecr.Internal.Images.MediaTypes.DockerManifest, digest, FakeEcr.Account));

        var result = await CreatePusher().PushAsync(
            new EcrPushSettings().SetRegion("us-east-1").SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetRepositoryName("team/web").SetTargetTags("1.0").EnablePublicRegistry().EnableAutoCreateRepository(),
            CancellationToken.None);

        Assert.Equal(digest, result.Digest);
        Assert.Equal("public.ecr.aws/fakealias/team/web:1.0", result.ImageReference);
        Assert.Equal(_registry.Manifest(FakeEcr.Host, "team/web", "rc")!.Value.Bytes, _registry.Manifest("public.ecr.aws", "fakealias/team/web", "1.0")!.Value.Bytes);
        Assert.Empty(_ecr.PutImages);
    }

    [Fact]
    public async Task ECR_Public_s_client_takes_its_token_from_its_own_API_and_names_public_ecr_aws_as_the_registry()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.OK, $$$"""{"authorizationData":{"authorizationToken":"{{{Token}}}","expiresAt":1800000000}}""");

        var authorization = await harness.PublicClient.GetAuthorizationAsync(null, CancellationToken.None);

        Assert.Equal(("AWS", "the-public-password", "public.ecr.aws"), (authorization.UserName, authorization.Password, authorization.RegistryHost));
        var request = Assert.Single(harness.Stub.Requests);
        Assert.Equal("https://api.ecr-public.us-east-1.amazonaws.com/", request.Uri.ToString());
        Assert.Equal("SpencerFrontendService.GetAuthorizationToken", request.Headers["X-Amz-Target"]);
        Assert.Contains("/us-east-1/ecr-public/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("{}", request.Body);
    }

    [Fact]
    public async Task The_repository_s_uri_carries_the_primary_alias_of_DescribeRegistries_and_the_catalog_data_goes_with_CreateRepository()
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenJson(HttpStatusCode.OK, """{"repository":{"repositoryName":"team/web","registryId":"123456789012","repositoryUri":"public.ecr.aws/x1y2z3/team/web","createdAt":1800000000}}""")
            .ThenJson(HttpStatusCode.OK, """{"registries":[{"registryId":"123456789012","registryUri":"public.ecr.aws/my-team","verified":false,"aliases":[{"name":"x1y2z3","status":"ACTIVE","primaryRegistryAlias":false,"defaultRegistryAlias":true},{"name":"my-team","status":"ACTIVE","primaryRegistryAlias":true,"defaultRegistryAlias":false}]}]}""");

        var repository = await harness.PublicClient.CreateRepositoryAsync(
            new EcrRepositoryCreation("team/web", null) { Catalog = new PublicCatalog("short", "about", "usage", ["ARM 64"], ["Linux"], "bG9nbw=="), Tags = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } },
            CancellationToken.None);

        Assert.Equal(("public.ecr.aws/my-team/team/web", "my-team/team/web", "MUTABLE", true), (repository.RepositoryUri, repository.RegistryPath, repository.TagMutability, repository.Created));
        var requests = harness.Stub.Requests.ToList();
        Assert.Equal("SpencerFrontendService.CreateRepository", requests[0].Headers["X-Amz-Target"]);
        Assert.Equal("""{"repositoryName":"team/web","catalogData":{"description":"short","architectures":["ARM 64"],"operatingSystems":["Linux"],"logoImageBlob":"bG9nbw==","aboutText":"about","usageText":"usage"},"tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]}""", requests[0].Body);
        Assert.Equal("SpencerFrontendService.DescribeRegistries", requests[1].Headers["X-Amz-Target"]);
    }

    [Fact]
    public async Task A_registry_without_an_alias_yet_takes_the_one_ECR_Public_gave_its_first_repository()
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenJson(HttpStatusCode.OK, """{"repository":{"repositoryName":"web","repositoryUri":"public.ecr.aws/q7r8s9/web"}}""")
            .ThenJson(HttpStatusCode.OK, """{"registries":[{"registryId":"123456789012","aliases":[]}]}""");

        var repository = await harness.PublicClient.CreateRepositoryAsync(new EcrRepositoryCreation("web", null), CancellationToken.None);

        Assert.Equal("q7r8s9/web", repository.RegistryPath);
    }

    [Fact]
    public async Task An_alias_that_is_not_the_registry_s_own_is_a_named_error_before_any_upload()
    {
        using var harness = new EcrClientHarness(publicAlias: "bitnami");
        harness.Stub
            .ThenJson(HttpStatusCode.OK, """{"repositories":[{"repositoryName":"team/web","registryId":"123456789012","repositoryUri":"public.ecr.aws/my-team/team/web"}]}""")
            .ThenJson(HttpStatusCode.OK, """{"registries":[{"registryId":"123456789012","aliases":[{"name":"my-team","status":"ACTIVE","primaryRegistryAlias":true,"defaultRegistryAlias":true},{"name":"my-team-next","status":"PENDING","primaryRegistryAlias":false,"defaultRegistryAlias":false}]}]}""");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.PublicClient.DescribeRepositoryAsync("team/web", null, CancellationToken.None));

        await Verify(exception.Message);
    }
}

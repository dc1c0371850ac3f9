using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;

namespace Ecr.Tests;

/// <summary>Several destinations in one push, and the options a repository the push creates is given.</summary>
public sealed class DestinationsAndOptionsTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();

    public DestinationsAndOptionsTests()
    {
        _engine.Tags["web:1"] = ImageId;
        _engine.Registry = _registry;
    }

    private static EcrPushSettings Settings => new EcrPushSettings()
        .SetRegion("us-east-1").SetSourceImageName("web").SetSourceImageTag("1").SetRepositoryName("team/web").EnableAutoCreateRepository();

    public void Dispose() => _registry.Dispose();

    private Pusher CreatePusher() => new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

    [Fact]
    public async Task One_call_pushes_to_every_destination_each_with_its_own_token_and_repository_and_the_same_digest()
    {
        var result = await CreatePusher().PushAsync(
            Settings.SetTargetTags("1", "latest").AddDestinations(new EcrDestination("eu-west-1"), new EcrDestination("eu-west-1", "210987654321")),
            CancellationToken.None);

        var hosts = new[] { FakeEcr.HostOf("us-east-1"), FakeEcr.HostOf("eu-west-1"), FakeEcr.HostOf("eu-west-1", "210987654321") };
        Assert.Equal(hosts.SelectMany(h => new[] { $"{h}/team/web:1", $"{h}/team/web:latest" }), result.AllImageReferences);
        Assert.Equal($"{hosts[0]}/team/web:1", result.ImageReference);
        Assert.Equal(["us-east-1", "eu-west-1", "eu-west-1"], result.Destinations.Select(d => d.Region));
        Assert.Equal(["123456789012", "123456789012", "210987654321"], result.Destinations.Select(d => d.RegistryId));
        Assert.All(result.Destinations, d => Assert.True(d.RepositoryCreated));
        Assert.Equal(3, _ecr.TokenCalls);
        Assert.Equal(3, _ecr.CreateCalls);

        // The engine pushed the first destination; the others hold a copy of what landed there, byte for byte.
        Assert.Equal([$"{hosts[0]}/team/web:1", $"{hosts[0]}/team/web:latest"], _engine.Pushed);
        var digest = result.Destinations[0].Digest;
        Assert.All(result.Destinations, d => Assert.Equal(digest, d.Digest));
        Assert.All(hosts, host => Assert.Equal(["1", "latest"], _registry.Tags(host, "team/web")));
        Assert.All(hosts, host => Assert.Equal(_registry.Manifest(hosts[0], "team/web", "1")!.Value.Bytes, _registry.Manifest(host, "team/web", "latest")!.Value.Bytes));
        Assert.Equal(["web:1"], _engine.Tags.Keys);
        Assert.Contains(_log.Lines, l => l.StartsWith($"INF Pushed {hosts[0]}/team/web:1, {hosts[0]}/team/web:latest ({digest}); {hosts[1]}/team/web:1, {hosts[1]}/team/web:latest ({digest}); ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_one_destination_fails_the_others_finish_and_the_error_names_which_and_why()
    {
        _ecr.FailingRegions.Add("eu-west-1");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.AddDestinations(new EcrDestination("eu-west-1"), new EcrDestination("ap-south-1")), CancellationToken.None));

        Assert.Equal(
            $"""
            The push failed for 1 of 3 destinations:
              - eu-west-1/(own registry): ECR in eu-west-1 did not answer.
              Pushed:
                {FakeEcr.HostOf("us-east-1")}/team/web:latest
                {FakeEcr.HostOf("ap-south-1")}/team/web:latest
            """.ReplaceLineEndings(), exception.Message);
        Assert.Equal([FakeEcr.HostOf("us-east-1"), FakeEcr.HostOf("ap-south-1")], exception.Landed.Select(image => image.RepositoryUri[..image.RepositoryUri.IndexOf('/', StringComparison.Ordinal)]));
        Assert.All(exception.Landed, image => Assert.Equal(["latest"], image.ImageReferences.Select(reference => reference[(reference.LastIndexOf(':') + 1)..])));
        Assert.Single(_engine.Pushed);
        Assert.Equal(["latest"], _registry.Tags(FakeEcr.HostOf("ap-south-1"), "team/web"));
        Assert.Equal(["web:1"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_created_repository_gets_every_option_and_both_policies()
    {
        const string lifecycle = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""";
        var policyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(policyFile, """{"Version":"2012-10-17","Statement":[]}""");
        try
        {
            await CreatePusher().PushAsync(Settings
                .EnableScanOnPush().SetTagMutability(TagMutability.ImmutableWithExclusion).AddTagMutabilityExclusionFilters("latest", "dev-*")
                .SetEncryptionType(EncryptionType.Kms).SetKmsKey("alias/ecr").AddRepositoryTag("team", "web").AddRepositoryTag("cost-centre", "42")
                .SetLifecyclePolicy(lifecycle).SetRepositoryPolicyFile(policyFile), CancellationToken.None);
        }
        finally
        {
            File.Delete(policyFile);
        }

        var creation = Assert.Single(_ecr.Creations);
        Assert.True(creation.ScanOnPush);
        Assert.Equal("IMMUTABLE_WITH_EXCLUSION", creation.TagMutability);
        Assert.Equal(["latest", "dev-*"], creation.TagMutabilityExclusionFilters);
        Assert.Equal(("KMS", "alias/ecr"), (creation.EncryptionType, creation.KmsKey));
        Assert.Equal(new Dictionary<string, string> { ["team"] = "web", ["cost-centre"] = "42" }, creation.Tags);
        Assert.Equal([("team/web", "lifecycle", lifecycle), ("team/web", "repository", """{"Version":"2012-10-17","Statement":[]}""")], _ecr.Policies);
    }

    [Fact]
    public async Task An_existing_repository_is_not_changed_and_differences_are_logged()
    {
        _ecr.AddRepository("team/web");
        _ecr.ExistingRepositorySettings = (false, "AES256");

        await CreatePusher().PushAsync(Settings.SetTagMutability(TagMutability.Immutable).EnableScanOnPush().SetEncryptionType(EncryptionType.Kms).SetLifecyclePolicy(new string(' ', 90) + "{\"rules\":[]}"), CancellationToken.None);

        Assert.Empty(_ecr.Creations);
        Assert.Empty(_ecr.Policies);
        Assert.Contains(_log.Lines, l => l.StartsWith("WRN The repository", StringComparison.Ordinal)
            && l.Contains("tag mutability MUTABLE, not IMMUTABLE, scan on push off, not on, encryption AES256, not KMS; an existing repository is not changed.", StringComparison.Ordinal));
    }

    public static TheoryData<string, Func<EcrPushSettings, EcrPushSettings>, string> BadOptions => new()
    {
        { "mutability", s => s.SetTagMutability((TagMutability)7), "TagMutability 7 is not one of Mutable, Immutable, ImmutableWithExclusion, MutableWithExclusion" },
        { "filters missing", s => s.SetTagMutability(TagMutability.ImmutableWithExclusion), "needs TagMutabilityExclusionFilters" },
        { "filters without exclusion", s => s.SetTagMutability(TagMutability.Immutable).AddTagMutabilityExclusionFilters("x"), "TagMutabilityExclusionFilters are set, but TagMutability is not" },
        { "filter chars", s => s.SetTagMutability(TagMutability.MutableWithExclusion).AddTagMutabilityExclusionFilters("a b"), "TagMutabilityExclusionFilters[0] 'a b'" },
        { "encryption", s => s.SetEncryptionType((EncryptionType)9), "EncryptionType 9 is not one of Aes256, Kms, KmsDsse" },
        { "kms with aes", s => s.SetEncryptionType(EncryptionType.Aes256).SetKmsKey("alias/x"), "KmsKey is set, but EncryptionType is Aes256" },
        { "kms without encryption", s => s.SetKmsKey("alias/x"), "KmsKey is set, but EncryptionType is not set (AES256)" },
        { "tag key", s => s.AddRepositoryTag("", "v"), "RepositoryTags '' = 'v'" },
        { "policy not json", s => s.SetRepositoryPolicy("{not json"), "RepositoryPolicy is not JSON" },
        { "lifecycle too short", s => s.SetLifecyclePolicy("{}"), "LifecyclePolicy has 2 characters: ECR takes 100 to 30720" },
        { "both policy forms", s => s.SetRepositoryPolicy("{}").SetRepositoryPolicyFile("/p.json"), "RepositoryPolicy and RepositoryPolicyFile are both set" },
        { "policy file missing", s => s.SetLifecyclePolicyFile("/nonexistent/policy.json"), "LifecyclePolicyFile '/nonexistent/policy.json' could not be read" },
        { "options without create", s => s.DisableAutoCreateRepository().EnableScanOnPush(), "apply only to a repository the push creates" },
        { "destination region", s => s.AddDestinations(new EcrDestination("EU")), "Destinations[0].Region 'EU'" },
        { "destination registry", s => s.AddDestinations(new EcrDestination("eu-west-1", "12")), "Destinations[0].RegistryId '12'" },
        { "destination duplicate", s => s.AddDestinations(new EcrDestination("us-east-1")), "Destinations[0] us-east-1/(own registry) is listed more than once" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_before_any_call(string name, Func<EcrPushSettings, EcrPushSettings> change, string expected)
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(change(Settings)));

        Assert.False(string.IsNullOrEmpty(name));
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }
}

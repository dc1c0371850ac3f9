using Amazon.Runtime;
using Ecr.Internal;

namespace Ecr.Tests.Snapshots.Errors;

/// <summary>
/// Every rule of the settings check, as the one EcrPushException a user reads before any network call: one snapshot per
/// rule, each with its fix. The bad inputs of <see cref="SettingsValidatorTests.BadInput"/> are pinned whole here, the
/// rules they do not reach below them; the few texts <see cref="ErrorMessageTests"/> pins (a '+' tag, two sources, no
/// source, ImageIdentity against SourceImageId) are not repeated. The fluent API's own errors close the list.
/// </summary>
public sealed class SettingsErrorTests : IDisposable
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly EcrPushSettings Valid = new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web");

    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>The rules the bad inputs of <see cref="SettingsValidatorTests.BadInput"/> do not reach, each named for its snapshot.</summary>
    private static readonly Dictionary<string, Func<Scratch, EcrPushSettings>> Rules = new(StringComparer.Ordinal)
    {
        ["Several_problems_at_once"] = _ => new EcrPushSettings().SetSourceImageName("Web").SetRepositoryName("team/web").SetTargetTags("1.4.2", "1.4.2").SetRegion("europe"),
        ["DockerHost_and_DockerContext_both_set"] = _ => Valid.SetDockerHost("tcp://docker:2376").SetDockerContext("ci"),
        ["Proxy_not_a_URI_shown_without_its_password"] = _ => Valid.SetProxy("http://builder:pr0xy-s3cret@proxy example:3128"),
        ["Destination_null"] = _ => Valid.SetDestinations(new EcrDestination("eu-west-1"), null!),
        ["Destination_region_against_the_rule"] = _ => Valid.SetDestinations(new EcrDestination("Europe")),
        ["Destination_registry_against_the_rule"] = _ => Valid.SetDestinations(new EcrDestination("eu-west-1", "2109876543")),
        ["Destination_listed_twice"] = _ => Valid.SetDestinations(new EcrDestination("eu-west-1"), new EcrDestination("eu-west-1")),
        ["Destination_that_is_the_first_one"] = _ => Valid.SetRegion("us-east-1").SetDestinations(new EcrDestination("us-east-1")),
        ["SourceImageName_tag_with_a_plus"] = _ => Valid.SetSourceImageName("web:1.4.2+build.7"),
        ["SourceImageTag_with_a_plus"] = _ => Valid.SetSourceImageName("web").SetSourceImageTag("1.4.2+build.7"),
        ["Layout_options_with_an_engine_image"] = _ => Valid.SetPlatforms("linux/amd64").SetUploadParallelism(4),
        ["SourceImageTag_with_a_layout"] = s => Layout(s).SetSourceImageTag("1.4.2"),
        ["ImageIdentity_ImageId_with_a_layout"] = s => Layout(s).SetImageIdentity(ImageIdentity.ImageId),
        ["UploadParallelism_out_of_range"] = s => Layout(s).SetUploadParallelism(17),
        ["Platform_against_the_rule"] = s => Layout(s).SetPlatforms("Linux/AMD64"),
        ["SourceOciLayout_missing"] = s => Source().SetSourceOciLayout(Path.Combine(s.Path, "missing")),
        ["SourceOciLayout_missing_relative_path"] = _ => Source().SetSourceOciLayout("artifacts/web-oci"),
        ["SourceOciLayout_a_file"] = s => Source().SetSourceOciLayout(s.File("web.tar", "not a folder")),
        ["SourceOciLayout_not_a_layout"] = s => Source().SetSourceOciLayout(s.Folder("not-a-layout")),
        ["SourceOciLayout_empty"] = _ => Source().SetSourceOciLayout(string.Empty),
        ["SourceOciLayout_digest_not_a_digest"] = s => Source().SetSourceOciLayout(Path.Combine(s.Path, "layout") + "@sha256:12"),
        ["SourceOciLayout_tag_with_a_plus"] = s => Source().SetSourceOciLayout(Path.Combine(s.Path, "layout") + ":1.4.2+build.7"),
        ["SourceImageArchive_missing"] = s => Source().SetSourceImageArchive(Path.Combine(s.Path, "web.tar")),
        ["SourceImageArchive_a_folder"] = s => Source().SetSourceImageArchive(s.Folder("web-oci")),
        ["SourceImageArchive_not_an_archive"] = s => Source().SetSourceImageArchive(s.File("web.txt", "an image, honestly")),
        ["ECR_source_digest_without_SourceRepositoryName"] = _ => Valid.SetSourceImageDigest(Digest),
        ["ECR_source_region_and_registry_without_SourceRepositoryName"] = _ => Source().SetSourceRegion("eu-west-1").SetSourceRegistryId("210987654321"),
        ["ECR_source_with_ImageIdentity_ImageId"] = _ => Ecr().SetImageIdentity(ImageIdentity.ImageId),
        ["ECR_source_repository_with_capitals"] = _ => Ecr().SetSourceRepositoryName("Team/Web"),
        ["ECR_source_digest_against_the_rule"] = _ => Ecr().SetSourceImageDigest("sha256:12"),
        ["ECR_source_region_against_the_rule"] = _ => Ecr().SetSourceRegion("europe"),
        ["ECR_source_registry_against_the_rule"] = _ => Ecr().SetSourceRegistryId("12"),
        ["ECR_source_tag_and_digest"] = _ => Ecr().SetSourceImageTag("rc").SetSourceImageDigest(Digest),
        ["ECR_source_with_Platforms"] = _ => Ecr().SetPlatforms("linux/amd64"),
        ["ECR_source_UploadParallelism_out_of_range"] = _ => Ecr().SetUploadParallelism(0),
        ["AwsSessionToken_with_a_line_break"] = _ => Valid.SetAwsAccessKeyId("ASIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").SetAwsSessionToken("FwoGZXIvYXdz\nEXAMPLE"),
        ["AwsCredentials_and_AwsProfile"] = _ => Valid.SetAwsCredentials(new AnonymousAWSCredentials()).SetAwsProfile("ci"),
        ["AwsExternalId_against_the_rule"] = _ => Valid.SetAwsRoleArn("arn:aws:iam::123456789012:role/push").SetAwsExternalId("x"),
        ["TagMutability_undefined"] = _ => Created().SetTagMutability((TagMutability)9),
        ["EncryptionType_undefined"] = _ => Created().SetEncryptionType((EncryptionType)9),
        ["TagMutability_with_exclusion_without_filters"] = _ => Created().SetTagMutability(TagMutability.ImmutableWithExclusion),
        ["Exclusion_filters_without_exclusion"] = _ => Created().SetTagMutability(TagMutability.Immutable).SetTagMutabilityExclusionFilters("latest"),
        ["Exclusion_filter_against_the_rule"] = _ => Created().SetTagMutability(TagMutability.MutableWithExclusion).SetTagMutabilityExclusionFilters("release/*"),
        ["KmsKey_with_white_space"] = _ => Created().SetEncryptionType(EncryptionType.Kms).SetKmsKey("alias/ecr key"),
        ["KmsKey_without_KMS_encryption"] = _ => Created().SetKmsKey("alias/ecr"),
        ["RepositoryTag_empty_key"] = _ => Created().SetRepositoryTags(new Dictionary<string, string> { [string.Empty] = "web" }),
        ["Repository_options_without_AutoCreateRepository"] = _ => Valid.EnableScanOnPush(),
        ["LifecyclePolicy_given_twice"] = s => Created().SetLifecyclePolicy("{}").SetLifecyclePolicyFile(Path.Combine(s.Path, "lifecycle.json")),
        ["LifecyclePolicyFile_unreadable"] = s => Created().SetLifecyclePolicyFile(Path.Combine(s.Path, "lifecycle.json")),
        ["LifecyclePolicy_too_short"] = _ => Created().SetLifecyclePolicy("{\"rules\":[]}"),
        ["RepositoryPolicy_not_JSON"] = _ => Created().SetRepositoryPolicy("{Version: 2012-10-17}"),
    };

    public static TheoryData<string> RuleNames => new(Rules.Keys);

    [Theory]
    [MemberData(nameof(SettingsValidatorTests.BadInput), MemberType = typeof(SettingsValidatorTests))]
    public Task Bad_input(string name, Func<EcrPushSettings, EcrPushSettings> change, string[] expected)
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(change(SettingsValidatorTests.Valid)));

        Assert.NotEmpty(expected);
        return Verify(exception.Message).UseTextForParameters(name.Replace(' ', '_'));
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public Task Rule(string name)
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Rules[name](_scratch)));

        // One rule, one problem: a snapshot that held two would hide which rule it pins.
        Assert.True(name.StartsWith("Several", StringComparison.Ordinal) || exception.Problems.Count == 1, exception.Message);
        return Verify(exception.Message).UseTextForParameters(name);
    }

    [Fact]
    public Task AddRepositoryTag_with_a_key_already_there()
        => Verify(Assert.Throws<EcrPushException>(() => new EcrPushSettings().AddRepositoryTag("team", "web").AddRepositoryTag("team", "api")).Message);

    [Fact]
    public async Task A_configurator_that_returns_null()
        => await Verify((await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(_ => (EcrPushSettings)null!))).Message);

    [Fact]
    public async Task A_combining_configurator_that_returns_null()
        => await Verify((await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(_ => (IEnumerable<EcrPushSettings>)null!))).Message);

    [Fact]
    public async Task A_combining_configurator_that_returns_no_settings()
        => await Verify((await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.CombineWith(Array.Empty<string>(), (settings, region) => settings.SetRegion(region))))).Message);

    private static EcrPushSettings Source() => new EcrPushSettings().SetRepositoryName("team/web");

    private static EcrPushSettings Layout(Scratch scratch) => Source().SetSourceOciLayout(scratch.Layout());

    private static EcrPushSettings Ecr() => new EcrPushSettings().SetSourceRepositoryName("team/web").SetRepositoryName("team/web-prod");

    private static EcrPushSettings Created() => Valid.EnableAutoCreateRepository();

    /// <summary>A temp folder of the test's, with the files and folders a rule needs.</summary>
    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ecrpush-settings-errors-").FullName;

        public string Folder(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

        public string File(string name, string content)
        {
            var path = System.IO.Path.Combine(Path, name);
            System.IO.File.WriteAllText(path, content);
            return path;
        }

        /// <summary>A folder with the marks of an OCI layout, enough for the settings check.</summary>
        public string Layout()
        {
            var layout = Folder("layout");
            System.IO.File.WriteAllText(System.IO.Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            System.IO.File.WriteAllText(System.IO.Path.Combine(layout, "index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
            return layout;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

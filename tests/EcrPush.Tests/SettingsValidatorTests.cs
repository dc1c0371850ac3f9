using Ecr.Internal;

using Ecr.Tests.Fakes;

namespace Ecr.Tests;

public sealed class SettingsValidatorTests
{
    internal static readonly EcrPushSettings Valid = new EcrPushSettings()
        .SetSourceImageName("web").SetSourceImageTag("1.4.2").SetRepositoryName("team/web");

    public static TheoryData<string, Func<EcrPushSettings, EcrPushSettings>, string[]> BadInput => new()
    {
        { "repository missing", s => s.ResetRepositoryName(), ["RepositoryName is not set", "SetRepositoryName"] },
        { "repository empty", s => s.SetRepositoryName(""), ["RepositoryName ''", "2 to 256"] },
        { "repository upper case", s => s.SetRepositoryName("Team/Web"), ["RepositoryName 'Team/Web'", "lowercase"] },
        { "repository whitespace", s => s.SetRepositoryName(" team/web"), ["RepositoryName ' team/web'", "white space at its start or end"] },
        { "repository too long", s => s.SetRepositoryName(new string('a', 257)), ["257 characters", "2 to 256"] },
        { "repository unicode", s => s.SetRepositoryName("tëam/web"), ["RepositoryName 'tëam/web'", "ECR's repository name rule"] },
        { "repository trailing slash", s => s.SetRepositoryName("team/"), ["RepositoryName 'team/'"] },
        { "repository control char", s => s.SetRepositoryName("team\n/web"), ["'team\\u000A/web'"] },
        { "tag empty entry", s => s.SetTargetTags("1.0", ""), ["TargetTags[1] ''", "is empty"] },
        { "tag duplicate", s => s.SetTargetTags("1.0", "latest", "1.0"), ["TargetTags[2] '1.0' is listed more than once"] },
        { "tag bad chars", s => s.SetTargetTags("v1/2"), ["TargetTags[0] 'v1/2'", "a Docker tag"] },
        { "tag starts with dot", s => s.SetTargetTags(".hidden"), ["TargetTags[0] '.hidden'"] },
        { "tag too long", s => s.SetTargetTags(new string('t', 129)), ["(… 129 characters)", "1 to 128"] },
        { "tag whitespace only", s => s.SetTargetTags("   "), ["is only white space"] },
        { "tag unicode", s => s.SetTargetTags("vé"), ["TargetTags[0] 'vé'"] },
        { "source tag bad", s => s.SetSourceImageTag("1 2"), ["SourceImageTag '1 2'"] },
        { "name missing", s => s.ResetSourceImageName(), ["No source image is set", "SourceImageId", "SourceOciLayout", "SourceImageArchive", "SourceRepositoryName", "SetSourceImageName"] },
        { "name tag conflicts", s => s.SetSourceImageName("web:2.0"), ["SourceImageName 'web:2.0' names the tag '2.0', but SourceImageTag is '1.4.2'", "give the tag once"] },
        { "name with short digest", s => s.SetSourceImageName("web@sha256:abc").ResetSourceImageTag(), ["the digest 'sha256:abc', which is not a digest", "64 lowercase hex digits"] },
        { "name digest and tag setting", s => s.SetSourceImageName("web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), ["names a digest, and SourceImageTag is '1.4.2'", "reset SourceImageTag"] },
        { "name with bad tag", s => s.SetSourceImageName("web:1 2").ResetSourceImageTag(), ["SourceImageName 'web:1 2': its tag '1 2' does not match the rule", "a Docker tag"] },
        { "name with empty tag", s => s.SetSourceImageName("web:").ResetSourceImageTag(), ["SourceImageName 'web:': its tag '' is empty"] },
        { "name upper case", s => s.SetSourceImageName("Web"), ["SourceImageName 'Web'", "a Docker image reference"] },
        { "name and id", s => s.SetSourceImageId("abc123"), ["More than one source image is set (SourceImageName 'web', SourceImageId 'abc123')"] },
        { "id with name identity", s => s.ResetSourceImageName().ResetSourceImageTag().SetImageIdentity(ImageIdentity.ImageName).SetSourceImageId("abc"), ["ImageIdentity is ImageName, but the image is given by SourceImageId 'abc': reset ImageIdentity"] },
        { "id with tag", s => s.ResetSourceImageName().SetSourceImageId("abc"), ["SourceImageTag '1.4.2' is set with SourceImageId 'abc': an ID names one image already; reset SourceImageTag."] },
        { "id identity without id", s => s.SetImageIdentity(ImageIdentity.ImageId).ResetSourceImageName().ResetSourceImageTag(), ["SourceImageId is not set"] },
        { "id identity with name", s => s.SetImageIdentity(ImageIdentity.ImageId), ["ImageIdentity is ImageId, but the image is given by SourceImageName 'web': reset ImageIdentity"] },
        { "id not hex", s => s.SetImageIdentity(ImageIdentity.ImageId).ResetSourceImageName().ResetSourceImageTag().SetSourceImageId("xyz"), ["SourceImageId 'xyz'", "hex"] },
        { "id upper hex", s => s.SetImageIdentity(ImageIdentity.ImageId).ResetSourceImageName().ResetSourceImageTag().SetSourceImageId("ABC"), ["SourceImageId 'ABC'"] },
        { "identity out of range", s => s.SetImageIdentity((ImageIdentity)7), ["ImageIdentity 7 is not one of ImageName, ImageId"] },
        { "region bad", s => s.SetRegion("US-EAST-1"), ["Region 'US-EAST-1'", "us-east-1"] },
        { "region empty", s => s.SetRegion(""), ["Region ''", "is empty"] },
        { "registry id short", s => s.SetRegistryId("12345"), ["RegistryId '12345'", "12-digit"] },
        { "output variable bad", s => s.SetOutputVariable("WEB-IMAGE"), ["OutputVariable 'WEB-IMAGE'"] },
        { "key without secret", s => s.SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE"), ["AwsAccessKeyId 'AKIAIOSFODNN7EXAMPLE' is set without AwsSecretAccessKey"] },
        { "secret without key", s => s.SetAwsSecretAccessKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ["AwsSecretAccessKey is set without AwsAccessKeyId"] },
        { "token without keys", s => s.SetAwsSessionToken("FwoGZXIvYXdzEXAMPLE"), ["AwsSessionToken is set without"] },
        { "secret with space", s => s.SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("wJalrXUtnFEMI K7MDENG"), ["AwsSecretAccessKey (value hidden, 21 characters)"] },
        { "key lower case", s => s.SetAwsAccessKeyId("akia").SetAwsSecretAccessKey("secret"), ["AwsAccessKeyId 'akia'"] },
        { "keys and profile", s => s.SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("secret").SetAwsProfile("ci"), ["AwsAccessKeyId/AwsSecretAccessKey and AwsProfile are both set"] },
        { "profile with space", s => s.SetAwsProfile("my profile"), ["AwsProfile 'my profile'"] },
        { "role arn bad", s => s.SetAwsRoleArn("arn:aws:iam::123:role/x"), ["AwsRoleArn 'arn:aws:iam::123:role/x'"] },
        { "external id without role", s => s.SetAwsExternalId("ext-123"), ["AwsExternalId or AwsRoleSessionName is set without AwsRoleArn"] },
        { "session name bad", s => s.SetAwsRoleArn("arn:aws:iam::123456789012:role/push").SetAwsRoleSessionName("a b"), ["AwsRoleSessionName 'a b'"] },
        { "docker host not uri", s => s.SetDockerHost("/var/run/docker.sock"), ["DockerHost '/var/run/docker.sock'", "unix:///var/run/docker.sock"] },
        { "docker host bad scheme", s => s.SetDockerHost("ftp://host"), ["DockerHost 'ftp://host'"] },
        { "endpoint bad", s => s.SetEcrEndpointUrl("localhost:5000"), ["EcrEndpointUrl 'localhost:5000'"] },
        { "proxy bad", s => s.SetProxy("proxy"), ["Proxy 'proxy'"] },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_gives_one_exception_naming_setting_value_and_rule(string name, Func<EcrPushSettings, EcrPushSettings> change, string[] expected)
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(change(Valid)));

        Assert.False(string.IsNullOrEmpty(name));
        foreach (var text in expected)
        {
            Assert.Contains(text, exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Every_line_of_a_settings_error_fits_a_CI_log(string name, Func<EcrPushSettings, EcrPushSettings> change, string[] expected)
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(change(Valid)));

        Assert.NotEmpty(expected);
        Assert.All(exception.Message.Split(Environment.NewLine), line => Assert.True(line.Length <= 200, $"{name}: a line of {line.Length} characters: {line}"));
    }

    [Fact]
    public void Every_problem_is_listed_in_one_exception()
    {
        var settings = new EcrPushSettings().SetRepositoryName("Bad Name").SetTargetTags("ok", "ok").SetRegion("nowhere");

        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings));

        Assert.StartsWith("The ECR push settings have 4 problems:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("No source image is set", exception.Message, StringComparison.Ordinal);
        Assert.Contains("RepositoryName 'Bad Name'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("TargetTags[1] 'ok' is listed more than once", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Region 'nowhere'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_values_never_appear_in_messages()
    {
        const string secret = "wJalrXUtnFEMI K7MDENG bPxRfiCYEXAMPLEKEY";
        const string token = "FwoGZXIvYXdzE token";
        var settings = Valid.SetAwsSecretAccessKey(secret).SetAwsSessionToken(token);

        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings));

        Assert.DoesNotContain(secret, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wJalr", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("FwoGZ", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_filled_in()
    {
        var plan = SettingsValidator.Validate(new EcrPushSettings().SetSourceImageName("web").SetRepositoryName("team/web"));

        Assert.Equal("web:latest", plan.EngineSource().Reference);
        Assert.False(plan.EngineSource().IsId);
        Assert.Equal(["latest"], plan.Tags);
        Assert.False(plan.AutoCreateRepository);
    }

    [Theory]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789ab")]
    [InlineData("01234")]
    public void Image_ids_in_every_form_are_accepted(string id)
    {
        var plan = SettingsValidator.Validate(new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId(id).SetRepositoryName("web"));

        Assert.True(plan.EngineSource().IsId);
        Assert.Equal(id, plan.EngineSource().Reference);
    }

    [Theory]
    [InlineData("localhost:5000/team/web")]
    [InlineData("registry.example.com/a/b/c")]
    [InlineData("my_app__x-y")]
    public void Image_names_with_a_registry_or_separators_are_accepted(string name)
        => Assert.Equal($"{name}:latest", SettingsValidator.Validate(Valid.SetSourceImageName(name).ResetSourceImageTag()).EngineSource().Reference);

    [Theory]
    [InlineData("web:1.4.2", null, "web:1.4.2")]
    [InlineData("web:1.4.2", "1.4.2", "web:1.4.2")]
    [InlineData("web", "1.4.2", "web:1.4.2")]
    [InlineData("registry:5000/team/web", null, "registry:5000/team/web:latest")]
    [InlineData("registry:5000/team/web:1.4.2", null, "registry:5000/team/web:1.4.2")]
    [InlineData("web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, "web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("registry:5000/web:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null, "registry:5000/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void A_source_name_is_read_as_Docker_reads_a_reference(string name, string? tag, string reference)
    {
        var plan = SettingsValidator.Validate(new EcrPushSettings().SetSourceImageName(name).SetSourceImageTag(tag).SetRepositoryName("team/web"));

        Assert.Equal(reference, plan.EngineSource().Reference);
        Assert.False(plan.EngineSource().IsId);
    }

    [Fact]
    public void A_full_valid_settings_object_passes()
    {
        var plan = SettingsValidator.Validate(Valid
            .SetRegion("us-gov-west-1").SetTargetTags("1.4.2", "latest").EnableAutoCreateRepository()
            .SetOutputVariable("WEB_IMAGE").SetRegistryId("123456789012")
            .SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
            .SetAwsRoleArn("arn:aws-us-gov:iam::123456789012:role/push").SetAwsExternalId("ext-1").SetAwsRoleSessionName("build-42")
            .SetDockerHost("tcp://127.0.0.1:2375").SetEcrEndpointUrl("http://127.0.0.1:5000").SetProxy("http://proxy:3128"));

        Assert.Equal(["1.4.2", "latest"], plan.Tags);
        Assert.Equal(new Uri("tcp://127.0.0.1:2375"), plan.DockerHost);
        Assert.Equal(new Uri("http://127.0.0.1:5000"), plan.Aws.EndpointUrl);
        Assert.Equal("arn:aws-us-gov:iam::123456789012:role/push", plan.Aws.RoleArn);
    }
}

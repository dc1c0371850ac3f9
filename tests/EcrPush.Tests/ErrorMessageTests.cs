using Ecr.Internal;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;

namespace Ecr.Tests;

/// <summary>
/// The errors a new user meets first, each with the fix it offers, as whole texts: a change of wording shows here.
/// Each is one EcrPushException before any network call, with its lines short enough for a CI log.
/// </summary>
public sealed class ErrorMessageTests : IDisposable
{
    private static readonly EcrPushSettings Valid = new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web");

    private readonly AwsHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void A_tag_with_SemVer_build_metadata_is_told_to_use_a_dash_or_underscore_and_which_tools_write_a_plus()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetTargetTags("1.4.2+build.7")));

        Assert.Equal(
            """
            The ECR push settings have a problem:
              - TargetTags[0] '1.4.2+build.7' has a '+': it must be a Docker tag: 1 to 128 letters, digits, _ . -, not starting with . or -.
                '+' starts SemVer build metadata, as GitVersion (FullSemVer), Nerdbank.GitVersioning (SemVer2) and MinVer (MinVerBuildMetadata) write it:
                use '-' or '_' instead, e.g. '1.4.2-build.7', or leave the metadata out.
            """.ReplaceLineEndings(), exception.Message);
    }

    [Fact]
    public void A_repository_name_with_capitals_is_offered_its_lowercase_form_when_that_is_valid()
    {
        var capitals = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetRepositoryName("Team/Web")));
        var notOnlyCapitals = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetRepositoryName("Team Web")));

        Assert.Equal(
            """
            The ECR push settings have a problem:
              - RepositoryName 'Team/Web' has capital letters, and ECR's repository names are lowercase: did you mean 'team/web'?
            """.ReplaceLineEndings(), capitals.Message);
        Assert.Equal(
            """
            The ECR push settings have a problem:
              - RepositoryName 'Team Web' does not match the rule: it must be ECR's repository name rule: lowercase letters and digits, separated by . _ __ or -, path components joined by / (e.g. team/web).
            """.ReplaceLineEndings(), notOnlyCapitals.Message);
    }

    [Fact]
    public void Two_sources_are_one_error_that_lists_all_four_kinds()
    {
        var layout = Directory.CreateDirectory(Path.Combine(_home.Path, "layout")).FullName;

        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetSourceOciLayout(layout)));

        Assert.Equal(
            $"""
            The ECR push settings have a problem:
              - More than one source image is set (SourceImageName 'web:1.4.2', SourceOciLayout '{layout}'): a push takes exactly one.
                Keep one of SourceImageName or SourceImageId (an image in the Docker engine), SourceOciLayout (an OCI image layout),
                SourceImageArchive (a docker-archive or OCI archive), SourceRepositoryName (an image already in ECR),
                and reset the others.
            """.ReplaceLineEndings(), exception.Message);
    }

    [Fact]
    public void No_source_is_one_error_that_lists_all_four_kinds()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(new EcrPushSettings().SetRepositoryName("team/web")));

        Assert.Equal(
            """
            The ECR push settings have a problem:
              - No source image is set: set one of SourceImageName or SourceImageId (an image in the Docker engine), SourceOciLayout (an OCI image layout),
                SourceImageArchive (a docker-archive or OCI archive), SourceRepositoryName (an image already in ECR)
                (e.g. SetSourceImageName("web:1.4.2")).
            """.ReplaceLineEndings(), exception.Message);
    }

    [Fact]
    public void SourceImageId_alone_is_enough_and_an_ImageIdentity_that_says_otherwise_is_one_named_error()
    {
        var plan = SettingsValidator.Validate(new EcrPushSettings().SetSourceImageId("0123456789ab").SetRepositoryName("team/web"));
        var byIdentity = SettingsValidator.Validate(new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId("0123456789ab").SetRepositoryName("team/web"));
        var contradiction = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageName).SetSourceImageId("0123456789ab").SetRepositoryName("team/web")));

        Assert.Equal(("0123456789ab", true), (plan.Source.Reference, plan.Source.IsId));
        Assert.Equal(("0123456789ab", true), (byIdentity.Source.Reference, byIdentity.Source.IsId));
        Assert.Equal(
            """
            The ECR push settings have a problem:
              - ImageIdentity is ImageName, but the image is given by SourceImageId '0123456789ab': reset ImageIdentity (SourceImageId alone is enough), or set it to ImageId.
            """.ReplaceLineEndings(), contradiction.Message);
    }

    [Fact]
    public void Problems_lists_each_problem_as_the_message_does()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(Valid.SetRepositoryName("Team/Web").SetTargetTags("1.4.2+build.7")));

        Assert.Equal(
            [
                "RepositoryName 'Team/Web' has capital letters, and ECR's repository names are lowercase: did you mean 'team/web'?",
                """
                TargetTags[0] '1.4.2+build.7' has a '+': it must be a Docker tag: 1 to 128 letters, digits, _ . -, not starting with . or -.
                '+' starts SemVer build metadata, as GitVersion (FullSemVer), Nerdbank.GitVersioning (SemVer2) and MinVer (MinVerBuildMetadata) write it:
                use '-' or '_' instead, e.g. '1.4.2-build.7', or leave the metadata out.
                """.ReplaceLineEndings(),
            ],
            exception.Problems);
        Assert.StartsWith("The ECR push settings have 2 problems:", exception.Message, StringComparison.Ordinal);
        Assert.All(exception.Problems, problem => Assert.Contains(problem.ReplaceLineEndings(Environment.NewLine + "    "), exception.Message, StringComparison.Ordinal));
        Assert.Empty(exception.Landed);
    }

    [Theory]
    [InlineData(true, "the DockerHost setting")]
    [InlineData(false, "DOCKER_HOST")]
    public void No_socket_file_at_the_Docker_host_is_said_at_once_naming_where_the_endpoint_came_from(bool setting, string source)
    {
        var socket = Path.Combine(_home.Path, "docker.sock");
        var environment = _home.Environment(("DOCKER_HOST", setting ? "unix:///elsewhere/docker.sock" : "unix://" + socket));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var exception = Assert.Throws<EcrPushException>(() => DockerEngine.Connect(setting ? new Uri("unix://" + socket) : null, new EngineOptions(), environment));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
        Assert.Equal(
            $"""
            There is no Docker engine socket at {socket}: the endpoint unix://{socket} (from {source}) names a file that does not exist.
              Start Docker, or point at a running engine: the DockerHost setting or DOCKER_HOST (e.g. unix:///var/run/docker.sock),
              or a Docker context (the DockerContext setting, DOCKER_CONTEXT, or `docker context use NAME`; `docker context ls` lists them).
            """.ReplaceLineEndings(), exception.Message);

        // With the file there, the engine is taken as it is: reaching it is the push's first call.
        File.WriteAllText(socket, string.Empty);
        Assert.Equal(new Uri("unix://" + socket), DockerEngine.Connect(setting ? new Uri("unix://" + socket) : null, new EngineOptions(), environment).Endpoint);
    }

    [Fact]
    public async Task No_credentials_is_a_headline_then_one_short_line_per_place_looked_and_the_fix()
    {
        var environment = _home.Environment(("AWS_EC2_METADATA_DISABLED", "true"));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => new AwsCredentialResolver(environment, new RecordingLog()).ResolveAsync(new AwsOptions(), "us-east-1", CancellationToken.None));

        Assert.Equal(
            $"""
            No AWS credentials were found. Looked, in order, at:
              - the AwsCredentials setting; the AwsAccessKeyId and AwsSecretAccessKey settings; the AwsProfile setting;
              - the Azure Pipelines variables AWS.AccessKeyID and AWS.SecretAccessKey (AWS_ACCESSKEYID, AWS_SECRETACCESSKEY);
              - the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY;
              - web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN);
              - the profile 'default' in {_home.Path}/.aws/credentials and {_home.Path}/.aws/config;
              - the ECS/EKS container credentials endpoint;
              - EC2 instance metadata (skipped: AWS_EC2_METADATA_DISABLED is true).
              Give credentials with SetAwsAccessKeyId and SetAwsSecretAccessKey (from the CI's secrets), SetAwsProfile,
              or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a CI passes a secret variable to a step only when the step maps it);
              or run where an IAM role is available (EC2 instance profile, ECS task role, EKS, or OIDC such as aws-actions/configure-aws-credentials).
            """.ReplaceLineEndings(), exception.Message);
        Assert.All(exception.Message.Split(Environment.NewLine), line => Assert.True(line.Length <= 200, line));
    }
}

using Amazon.Runtime;

namespace Ecr.Tests.Snapshots;

/// <summary>
/// What a build prints when it logs the settings or the result: every setting by name, the secrets as ***, a proxy
/// without its user and password, policies by their length.
/// </summary>
public sealed class ToStringTests
{
    private const string Digest = "sha256:3f1c5e8a9b0d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e";
    private const string OtherDigest = "sha256:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b";

    [Fact]
    public Task Settings_with_only_a_repository_print_every_setting_unset()
        => Verify(new EcrPushSettings().SetRepositoryName("team/web").ToString());

    [Fact]
    public Task Settings_with_every_setting_set_print_secrets_as_stars()
    {
        var settings = new EcrPushSettings()
            .SetRegion("us-east-1")
            .SetImageIdentity(ImageIdentity.ImageId)
            .SetSourceImageName("web")
            .SetSourceImageTag("1.4.2")
            .SetSourceImageId("0123456789ab")
            .SetSourceOciLayout("artifacts/web-oci")
            .SetSourceImageArchive("artifacts/web.tar")
            .SetSourceRepositoryName("team/web-staging")
            .SetSourceImageDigest(OtherDigest)
            .SetSourceRegion("eu-west-1")
            .SetSourceRegistryId("210987654321")
            .SetPlatforms("linux/amd64", "linux/arm64/v8")
            .DisableIncludeAttestations()
            .SetUploadParallelism(4)
            .SetRepositoryName("team/web")
            .SetTargetTags("1.4.2", "latest")
            .EnableAutoCreateRepository()
            .SetOutputVariable("ECR_IMAGE")
            .SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE")
            .SetAwsSecretAccessKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
            .SetAwsSessionToken("session-token-that-must-not-print")
            .SetAwsProfile("ci")
            .SetAwsRoleArn("arn:aws:iam::123456789012:role/push")
            .SetAwsExternalId("external-id-42")
            .SetAwsRoleSessionName("nightly")
            .SetAwsCredentials(new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "credentials-object-secret"))
            .SetRegistryId("123456789012")
            .SetDestinations(new EcrDestination("eu-west-1"), new EcrDestination("ap-southeast-2", "210987654321"), new EcrDestination { PublicRegistry = true })
            .EnablePublicRegistry()
            .SetPublicRegistryAlias("my-team")
            .SetCatalogDescription("The web front end")
            .SetCatalogAboutText("## About\nServes the shop.")
            .SetCatalogUsageText("docker run public.ecr.aws/my-team/web")
            .SetCatalogArchitectures("x86-64", "ARM 64")
            .SetCatalogOperatingSystems("Linux")
            .SetCatalogLogoFile("branding/logo.png")
            .SetDockerHost("tcp://docker:2376")
            .EnableDockerTlsVerify()
            .SetDockerCertPath("/certs/client")
            .SetDockerContext("remote")
            .EnableRequireDockerTls()
            .EnableUseFipsEndpoint()
            .EnableUseDualStackEndpoint()
            .SetEcrEndpointUrl("https://ecr.us-east-1.amazonaws.com")
            .SetProxy("http://builder:pr0xy-s3cret@proxy.example:3128")
            .EnableScanOnPush()
            .SetTagMutability(TagMutability.ImmutableWithExclusion)
            .SetTagMutabilityExclusionFilters("latest", "dev-*")
            .SetEncryptionType(EncryptionType.Kms)
            .SetKmsKey("alias/ecr")
            .SetRepositoryTags(new Dictionary<string, string> { ["team"] = "web", ["cost-center"] = "42" })
            .SetLifecyclePolicy("{\"rules\":[]}")
            .SetLifecyclePolicyFile("policies/lifecycle.json")
            .SetRepositoryPolicy("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
            .SetRepositoryPolicyFile("policies/repository.json")
            .SetLogger(Serilog.Core.Logger.None)
            .SetAttachments(new EcrAttachment("artifacts/sbom.cdx.json", EcrAttachment.CycloneDxJson))
            .DisableIncludeReferrers()
            .EnableWaitForSigning()
            .SetSigningTimeout(TimeSpan.FromMinutes(10));

        return Verify(settings.ToString());
    }

    [Fact]
    public Task The_result_and_each_pushed_image_print_their_reference()
    {
        var first = new EcrPushedImage
        {
            Region = "us-east-1",
            RegistryId = "123456789012",
            RepositoryUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web",
            Digest = Digest,
            ImageReferences = ["123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.4.2", "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:latest"],
            RepositoryCreated = false,
            Platforms = [new EcrPushedPlatform("linux/amd64", OtherDigest), new EcrPushedPlatform("unknown/unknown", Digest)],
        };
        var second = first with
        {
            Region = "eu-west-1",
            RepositoryUri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web",
            ImageReferences = ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.4.2"],
            RepositoryCreated = true,
        };
        var result = new EcrPushResult([first, second]);

        return Verify(string.Join('\n', [
            $"EcrPushResult: {result}",
            $"EcrPushedImage: {first}",
            $"EcrPushedImage: {second}",
            $"EcrPushedPlatform: {first.Platforms[0]}",
            $"EcrDestination: {new EcrDestination()}",
            $"EcrDestination: {new EcrDestination("ap-southeast-2", "210987654321")}",
        ]));
    }
}

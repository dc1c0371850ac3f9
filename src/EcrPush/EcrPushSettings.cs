using System.Text;
using Amazon.Runtime;
using Ecr.Internal.Aws.Runtime;

namespace Ecr;

/// <summary>
/// Everything one push needs: the inputs of the AWS Toolkit for Azure DevOps "Push Image" task, and a few its
/// users asked for. Immutable: change it with the fluent methods of <see cref="EcrPushSettingsExtensions"/>
/// or with a <c>with</c> expression. Unset values fall back the way the task's do (region and credentials
/// from the environment, tag <c>latest</c>). <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed partial record EcrPushSettings
{
    /// <summary>The AWS region, e.g. <c>us-east-1</c>. Unset: <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the profile's region, EC2 instance metadata.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// How the engine image is named, as the AWS Toolkit task's "Image Identity" input: <see cref="Ecr.ImageIdentity.ImageName"/>
    /// (by <see cref="SourceImageName"/>) or <see cref="Ecr.ImageIdentity.ImageId"/> (by <see cref="SourceImageId"/>). Unset: whichever of
    /// the two is set; set, it must agree with it.
    /// </summary>
    public ImageIdentity? ImageIdentity { get; init; }

    /// <summary>
    /// The local image's reference as Docker reads it: <c>web</c>, <c>web:1.4.2</c>, <c>registry.local:5000/team/web:1.4.2</c>
    /// or <c>web@sha256:…</c>. A tag here is the tag to push from unless <see cref="SourceImageTag"/> names another
    /// (an error that names both); with neither, <c>latest</c>.
    /// </summary>
    public string? SourceImageName { get; init; }

    /// <summary>
    /// The source image's tag: of the local image, when <see cref="SourceImageName"/> has none (unset: the tag in the name,
    /// else <c>latest</c>); or of the image in <see cref="SourceRepositoryName"/> (unset: <c>latest</c>, unless
    /// <see cref="SourceImageDigest"/> names it).
    /// </summary>
    public string? SourceImageTag { get; init; }

    /// <summary>The local image's ID, <c>sha256:…</c>, bare hex, or a prefix that names one image (the 12 characters <c>docker images</c> shows): the engine image to push, instead of <see cref="SourceImageName"/>.</summary>
    public string? SourceImageId { get; init; }

    /// <summary>The ECR repository to push to, e.g. <c>team/web</c>.</summary>
    public string? RepositoryName { get; init; }

    /// <summary>The tags to push, each to the same image; empty means <c>latest</c>. The first is the result's <see cref="EcrPushResult.ImageReference"/>.</summary>
    public IReadOnlyList<string> TargetTags { get; init; } = [];

    /// <summary>Create the repository when it does not exist (the task's "Create repository if it does not exist").</summary>
    public bool AutoCreateRepository { get; init; }

    /// <summary>A CI variable to set to the pushed reference: Azure Pipelines, GitHub Actions (output and environment), TeamCity.</summary>
    public string? OutputVariable { get; init; }

    /// <summary>An AWS access key ID; needs <see cref="AwsSecretAccessKey"/>.</summary>
    public string? AwsAccessKeyId { get; init; }

    /// <summary>The AWS secret access key for <see cref="AwsAccessKeyId"/>. Secret: never logged.</summary>
    public string? AwsSecretAccessKey { get; init; }

    /// <summary>A session token for temporary credentials. Secret: never logged.</summary>
    public string? AwsSessionToken { get; init; }

    /// <summary>A named profile of the AWS shared config and credentials files.</summary>
    public string? AwsProfile { get; init; }

    /// <summary>A role to assume with the resolved credentials, e.g. <c>arn:aws:iam::123456789012:role/push</c>.</summary>
    public string? AwsRoleArn { get; init; }

    /// <summary>The external ID the role's trust policy asks for, with <see cref="AwsRoleArn"/>.</summary>
    public string? AwsExternalId { get; init; }

    /// <summary>The session name for <see cref="AwsRoleArn"/>; default <c>EcrPush-</c> and a timestamp.</summary>
    public string? AwsRoleSessionName { get; init; }

    /// <summary>Credentials from code (any AWSSDK credentials object); wins over every other source.</summary>
    public AWSCredentials? AwsCredentials { get; init; }

    /// <summary>The AWS account ID of another account's registry; unset means the caller's own.</summary>
    public string? RegistryId { get; init; }

    /// <summary>
    /// The Docker engine endpoint, e.g. <c>unix:///var/run/docker.sock</c> or <c>tcp://docker:2376</c>; unset:
    /// <c>DOCKER_HOST</c>, else the Docker context (<see cref="DockerContext"/>), else the platform's default.
    /// </summary>
    public string? DockerHost { get; init; }

    /// <summary>
    /// TLS to a <c>tcp://</c> engine, its certificate checked against <c>ca.pem</c> in <see cref="DockerCertPath"/>;
    /// unset: on when <c>DOCKER_TLS_VERIFY</c> is set, as the Docker CLI does.
    /// </summary>
    public bool? DockerTlsVerify { get; init; }

    /// <summary>The folder with <c>ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c> for a TLS engine; unset: <c>DOCKER_CERT_PATH</c>, else <c>~/.docker</c>.</summary>
    public string? DockerCertPath { get; init; }

    /// <summary>
    /// The Docker context whose engine (and TLS files) to use, as <c>docker --context</c>; not with <see cref="DockerHost"/>.
    /// Unset: <c>DOCKER_HOST</c>, else <c>DOCKER_CONTEXT</c>, else <c>currentContext</c> in the Docker config.
    /// </summary>
    public string? DockerContext { get; init; }

    /// <summary>
    /// Refuse an engine reached over plain TCP on another machine, where the registry token would travel unencrypted;
    /// off: a warning, once per process.
    /// </summary>
    public bool RequireDockerTls { get; init; }

    /// <summary>Use the FIPS endpoint of the ECR API; unset: <c>AWS_USE_FIPS_ENDPOINT</c>.</summary>
    public bool? UseFipsEndpoint { get; init; }

    /// <summary>Use the dual-stack endpoint of the ECR API; unset: <c>AWS_USE_DUALSTACK_ENDPOINT</c>.</summary>
    public bool? UseDualStackEndpoint { get; init; }

    /// <summary>The ECR API endpoint, for tests and private endpoints; unset: <c>AWS_ENDPOINT_URL_ECR</c>, <c>AWS_ENDPOINT_URL</c>, then the partition's.</summary>
    public string? EcrEndpointUrl { get; init; }

    /// <summary>More destinations for the same image: other regions or accounts, pushed concurrently with the first.</summary>
    public IReadOnlyList<EcrDestination> Destinations { get; init; } = [];

    /// <summary>For a repository this push creates: scan each image on push. An existing repository is never changed.</summary>
    public bool? ScanOnPush { get; init; }

    /// <summary>For a repository this push creates: whether its tags can move; unset: ECR's default, <see cref="Ecr.TagMutability.Mutable"/>.</summary>
    public TagMutability? TagMutability { get; init; }

    /// <summary>For a repository this push creates with a <c>*_WITH_EXCLUSION</c> mutability: wildcard filters (<c>latest</c>, <c>dev-*</c>) of the tags that take the opposite rule.</summary>
    public IReadOnlyList<string> TagMutabilityExclusionFilters { get; init; } = [];

    /// <summary>For a repository this push creates: how it encrypts images at rest; unset: ECR's default, <see cref="Ecr.EncryptionType.Aes256"/>.</summary>
    public EncryptionType? EncryptionType { get; init; }

    /// <summary>For a repository this push creates with KMS encryption: the key's ARN, ID or alias; unset: the AWS-managed key.</summary>
    public string? KmsKey { get; init; }

    /// <summary>For a repository this push creates: resource tags, key to value.</summary>
    public IReadOnlyDictionary<string, string> RepositoryTags { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>For a repository this push creates: a lifecycle policy, as JSON text.</summary>
    public string? LifecyclePolicy { get; init; }

    /// <summary>For a repository this push creates: a lifecycle policy, as a JSON file's path.</summary>
    public string? LifecyclePolicyFile { get; init; }

    /// <summary>For a repository this push creates: a repository (permissions) policy, as JSON text.</summary>
    public string? RepositoryPolicy { get; init; }

    /// <summary>For a repository this push creates: a repository (permissions) policy, as a JSON file's path.</summary>
    public string? RepositoryPolicyFile { get; init; }

    /// <summary>Where the push's messages go; unset: Serilog's static <c>Log</c>, which a Nuke build configures and formats.</summary>
    public Serilog.ILogger? Logger { get; init; }

    /// <summary>An HTTP proxy for the AWS calls, e.g. <c>http://proxy:3128</c>; unset: <c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>, <c>NO_PROXY</c>.</summary>
    public string? Proxy { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        // Records print every property by default; the secrets must never reach a log that way. Every property is
        // here (a unit test holds that); secrets print as *** and a proxy without its user:password (SecretSettings,
        // the list AwsOptions prints by too), and policies and the logger by what they are rather than their whole text.
        Print(builder, nameof(Region), Region);
        Print(builder, nameof(ImageIdentity), ImageIdentity);
        Print(builder, nameof(SourceImageName), SourceImageName);
        Print(builder, nameof(SourceImageTag), SourceImageTag);
        Print(builder, nameof(SourceImageId), SourceImageId);
        Print(builder, nameof(SourceOciLayout), SourceOciLayout);
        Print(builder, nameof(SourceImageArchive), SourceImageArchive);
        Print(builder, nameof(SourceRepositoryName), SourceRepositoryName);
        Print(builder, nameof(SourceImageDigest), SourceImageDigest);
        Print(builder, nameof(SourceRegion), SourceRegion);
        Print(builder, nameof(SourceRegistryId), SourceRegistryId);
        Print(builder, nameof(Platforms), Platforms);
        Print(builder, nameof(IncludeAttestations), IncludeAttestations);
        Print(builder, nameof(UploadParallelism), UploadParallelism);
        Print(builder, nameof(RepositoryName), RepositoryName);
        Print(builder, nameof(TargetTags), TargetTags);
        Print(builder, nameof(AutoCreateRepository), AutoCreateRepository);
        Print(builder, nameof(OutputVariable), OutputVariable);
        Print(builder, nameof(AwsAccessKeyId), AwsAccessKeyId);
        Print(builder, nameof(AwsSecretAccessKey), SecretSettings.Shown(nameof(AwsSecretAccessKey), AwsSecretAccessKey));
        Print(builder, nameof(AwsSessionToken), SecretSettings.Shown(nameof(AwsSessionToken), AwsSessionToken));
        Print(builder, nameof(AwsProfile), AwsProfile);
        Print(builder, nameof(AwsRoleArn), AwsRoleArn);
        Print(builder, nameof(AwsExternalId), AwsExternalId);
        Print(builder, nameof(AwsRoleSessionName), AwsRoleSessionName);
        Print(builder, nameof(AwsCredentials), AwsCredentials?.GetType().Name);
        Print(builder, nameof(RegistryId), RegistryId);
        Print(builder, nameof(Destinations), Destinations);
        Print(builder, nameof(PublicRegistry), PublicRegistry);
        Print(builder, nameof(PublicRegistryAlias), PublicRegistryAlias);
        Print(builder, nameof(CatalogDescription), Characters(CatalogDescription));
        Print(builder, nameof(CatalogAboutText), Characters(CatalogAboutText));
        Print(builder, nameof(CatalogUsageText), Characters(CatalogUsageText));
        Print(builder, nameof(CatalogArchitectures), CatalogArchitectures);
        Print(builder, nameof(CatalogOperatingSystems), CatalogOperatingSystems);
        Print(builder, nameof(CatalogLogoFile), CatalogLogoFile);
        Print(builder, nameof(DockerHost), DockerHost);
        Print(builder, nameof(DockerTlsVerify), DockerTlsVerify);
        Print(builder, nameof(DockerCertPath), DockerCertPath);
        Print(builder, nameof(DockerContext), DockerContext);
        Print(builder, nameof(RequireDockerTls), RequireDockerTls);
        Print(builder, nameof(UseFipsEndpoint), UseFipsEndpoint);
        Print(builder, nameof(UseDualStackEndpoint), UseDualStackEndpoint);
        Print(builder, nameof(EcrEndpointUrl), EcrEndpointUrl);
        Print(builder, nameof(Proxy), SecretSettings.ShownProxy(Proxy));
        Print(builder, nameof(ScanOnPush), ScanOnPush);
        Print(builder, nameof(TagMutability), TagMutability);
        Print(builder, nameof(TagMutabilityExclusionFilters), TagMutabilityExclusionFilters);
        Print(builder, nameof(EncryptionType), EncryptionType);
        Print(builder, nameof(KmsKey), KmsKey);
        Print(builder, nameof(RepositoryTags), RepositoryTags.Select(tag => $"{tag.Key}={tag.Value}").ToList());
        Print(builder, nameof(LifecyclePolicy), Characters(LifecyclePolicy));
        Print(builder, nameof(LifecyclePolicyFile), LifecyclePolicyFile);
        Print(builder, nameof(RepositoryPolicy), Characters(RepositoryPolicy));
        Print(builder, nameof(RepositoryPolicyFile), RepositoryPolicyFile);
        Print(builder, nameof(Logger), Logger?.GetType().Name);
        Print(builder, nameof(Attachments), Attachments);
        Print(builder, nameof(IncludeReferrers), IncludeReferrers);
        Print(builder, nameof(WaitForSigning), WaitForSigning);
        Print(builder, nameof(SigningTimeout), SigningTimeout);

        // Each member ends with ", " (the builder already holds "EcrPushSettings { " here); the last one's is dropped.
        builder.Length -= 2;
        return true;
    }

    private static void Print<T>(StringBuilder builder, string name, T value)
    {
        builder.Append(name).Append(" = ");
        if (value is System.Collections.IEnumerable list and not string)
        {
            builder.Append('[').AppendJoin(", ", list.Cast<object>()).Append(']');
        }
        else
        {
            builder.Append(value);
        }

        builder.Append(", ");
    }

    private static string? Characters(string? text) => text is null ? null : $"({text.Length} characters)";
}

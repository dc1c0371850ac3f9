using System.Diagnostics.Contracts;
using Amazon.Runtime;

namespace Ecr;

/// <summary>
/// Fluent, side-effect-free changes to <see cref="EcrPushSettings"/>, named as Nuke names its tool settings:
/// each returns a new settings object and leaves the one it was called on as it was.
/// </summary>
public static partial class EcrPushSettingsExtensions
{
    /// <summary>Sets the AWS region (<see cref="EcrPushSettings.Region"/>).</summary>
    [Pure]
    public static EcrPushSettings SetRegion(this EcrPushSettings settings, string? region)
        => Checked(settings) with { Region = region };

    /// <summary>Resets the AWS region to its default (<see cref="EcrPushSettings.Region"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetRegion(this EcrPushSettings settings)
        => Checked(settings) with { Region = null };

    /// <summary>Sets the local image's name (<see cref="EcrPushSettings.SourceImageName"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceImageName(this EcrPushSettings settings, string? sourceImageName)
        => Checked(settings) with { SourceImageName = sourceImageName };

    /// <summary>Resets the local image's name to its default (<see cref="EcrPushSettings.SourceImageName"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceImageName(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageName = null };

    /// <summary>Sets the source image's tag, of the local image or of the image in SourceRepositoryName (<see cref="EcrPushSettings.SourceImageTag"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceImageTag(this EcrPushSettings settings, string? sourceImageTag)
        => Checked(settings) with { SourceImageTag = sourceImageTag };

    /// <summary>Resets the local image's tag to its default (<see cref="EcrPushSettings.SourceImageTag"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceImageTag(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageTag = null };

    /// <summary>Sets the local image's ID (<see cref="EcrPushSettings.SourceImageId"/>).</summary>
    [Pure]
    public static EcrPushSettings SetSourceImageId(this EcrPushSettings settings, string? sourceImageId)
        => Checked(settings) with { SourceImageId = sourceImageId };

    /// <summary>Resets the local image's ID to its default (<see cref="EcrPushSettings.SourceImageId"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetSourceImageId(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageId = null };

    /// <summary>Sets the ECR repository (<see cref="EcrPushSettings.RepositoryName"/>).</summary>
    [Pure]
    public static EcrPushSettings SetRepositoryName(this EcrPushSettings settings, string? repositoryName)
        => Checked(settings) with { RepositoryName = repositoryName };

    /// <summary>Resets the ECR repository to its default (<see cref="EcrPushSettings.RepositoryName"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetRepositoryName(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryName = null };

    /// <summary>Sets the CI variable set to the pushed reference (<see cref="EcrPushSettings.OutputVariable"/>).</summary>
    [Pure]
    public static EcrPushSettings SetOutputVariable(this EcrPushSettings settings, string? outputVariable)
        => Checked(settings) with { OutputVariable = outputVariable };

    /// <summary>Resets the CI variable set to the pushed reference to its default (<see cref="EcrPushSettings.OutputVariable"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetOutputVariable(this EcrPushSettings settings)
        => Checked(settings) with { OutputVariable = null };

    /// <summary>Sets the AWS access key ID (<see cref="EcrPushSettings.AwsAccessKeyId"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsAccessKeyId(this EcrPushSettings settings, string? awsAccessKeyId)
        => Checked(settings) with { AwsAccessKeyId = awsAccessKeyId };

    /// <summary>Resets the AWS access key ID to its default (<see cref="EcrPushSettings.AwsAccessKeyId"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsAccessKeyId(this EcrPushSettings settings)
        => Checked(settings) with { AwsAccessKeyId = null };

    /// <summary>Sets the AWS secret access key (<see cref="EcrPushSettings.AwsSecretAccessKey"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsSecretAccessKey(this EcrPushSettings settings, string? awsSecretAccessKey)
        => Checked(settings) with { AwsSecretAccessKey = awsSecretAccessKey };

    /// <summary>Resets the AWS secret access key to its default (<see cref="EcrPushSettings.AwsSecretAccessKey"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsSecretAccessKey(this EcrPushSettings settings)
        => Checked(settings) with { AwsSecretAccessKey = null };

    /// <summary>Sets the AWS session token (<see cref="EcrPushSettings.AwsSessionToken"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsSessionToken(this EcrPushSettings settings, string? awsSessionToken)
        => Checked(settings) with { AwsSessionToken = awsSessionToken };

    /// <summary>Resets the AWS session token to its default (<see cref="EcrPushSettings.AwsSessionToken"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsSessionToken(this EcrPushSettings settings)
        => Checked(settings) with { AwsSessionToken = null };

    /// <summary>Sets the AWS profile (<see cref="EcrPushSettings.AwsProfile"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsProfile(this EcrPushSettings settings, string? awsProfile)
        => Checked(settings) with { AwsProfile = awsProfile };

    /// <summary>Resets the AWS profile to its default (<see cref="EcrPushSettings.AwsProfile"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsProfile(this EcrPushSettings settings)
        => Checked(settings) with { AwsProfile = null };

    /// <summary>Sets the role to assume (<see cref="EcrPushSettings.AwsRoleArn"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsRoleArn(this EcrPushSettings settings, string? awsRoleArn)
        => Checked(settings) with { AwsRoleArn = awsRoleArn };

    /// <summary>Resets the role to assume to its default (<see cref="EcrPushSettings.AwsRoleArn"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsRoleArn(this EcrPushSettings settings)
        => Checked(settings) with { AwsRoleArn = null };

    /// <summary>Sets the external ID for the role (<see cref="EcrPushSettings.AwsExternalId"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsExternalId(this EcrPushSettings settings, string? awsExternalId)
        => Checked(settings) with { AwsExternalId = awsExternalId };

    /// <summary>Resets the external ID for the role to its default (<see cref="EcrPushSettings.AwsExternalId"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsExternalId(this EcrPushSettings settings)
        => Checked(settings) with { AwsExternalId = null };

    /// <summary>Sets the role session name (<see cref="EcrPushSettings.AwsRoleSessionName"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsRoleSessionName(this EcrPushSettings settings, string? awsRoleSessionName)
        => Checked(settings) with { AwsRoleSessionName = awsRoleSessionName };

    /// <summary>Resets the role session name to its default (<see cref="EcrPushSettings.AwsRoleSessionName"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetAwsRoleSessionName(this EcrPushSettings settings)
        => Checked(settings) with { AwsRoleSessionName = null };

    /// <summary>Sets the registry's AWS account ID (<see cref="EcrPushSettings.RegistryId"/>).</summary>
    [Pure]
    public static EcrPushSettings SetRegistryId(this EcrPushSettings settings, string? registryId)
        => Checked(settings) with { RegistryId = registryId };

    /// <summary>Resets the registry's AWS account ID to its default (<see cref="EcrPushSettings.RegistryId"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetRegistryId(this EcrPushSettings settings)
        => Checked(settings) with { RegistryId = null };

    /// <summary>Sets the Docker engine endpoint (<see cref="EcrPushSettings.DockerHost"/>).</summary>
    [Pure]
    public static EcrPushSettings SetDockerHost(this EcrPushSettings settings, string? dockerHost)
        => Checked(settings) with { DockerHost = dockerHost };

    /// <summary>Resets the Docker engine endpoint to its default (<see cref="EcrPushSettings.DockerHost"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetDockerHost(this EcrPushSettings settings)
        => Checked(settings) with { DockerHost = null };

    /// <summary>Sets TLS to the engine (<see cref="EcrPushSettings.DockerTlsVerify"/>).</summary>
    [Pure]
    public static EcrPushSettings SetDockerTlsVerify(this EcrPushSettings settings, bool? dockerTlsVerify)
        => Checked(settings) with { DockerTlsVerify = dockerTlsVerify };

    /// <summary>Resets TLS to the engine to its default, <c>DOCKER_TLS_VERIFY</c> (<see cref="EcrPushSettings.DockerTlsVerify"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = null };

    /// <summary>Enables TLS to the engine (<see cref="EcrPushSettings.DockerTlsVerify"/>).</summary>
    [Pure]
    public static EcrPushSettings EnableDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = true };

    /// <summary>Disables TLS to the engine, whatever <c>DOCKER_TLS_VERIFY</c> says (<see cref="EcrPushSettings.DockerTlsVerify"/>).</summary>
    [Pure]
    public static EcrPushSettings DisableDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = false };

    /// <summary>Toggles TLS to the engine; unset counts as off.</summary>
    [Pure]
    public static EcrPushSettings ToggleDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = settings.DockerTlsVerify != true };

    /// <summary>Sets the folder of the engine's TLS files (<see cref="EcrPushSettings.DockerCertPath"/>).</summary>
    [Pure]
    public static EcrPushSettings SetDockerCertPath(this EcrPushSettings settings, string? dockerCertPath)
        => Checked(settings) with { DockerCertPath = dockerCertPath };

    /// <summary>Resets the folder of the engine's TLS files to its default (<see cref="EcrPushSettings.DockerCertPath"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetDockerCertPath(this EcrPushSettings settings)
        => Checked(settings) with { DockerCertPath = null };

    /// <summary>Sets the Docker context (<see cref="EcrPushSettings.DockerContext"/>).</summary>
    [Pure]
    public static EcrPushSettings SetDockerContext(this EcrPushSettings settings, string? dockerContext)
        => Checked(settings) with { DockerContext = dockerContext };

    /// <summary>Resets the Docker context to its default (<see cref="EcrPushSettings.DockerContext"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetDockerContext(this EcrPushSettings settings)
        => Checked(settings) with { DockerContext = null };

    /// <summary>Sets whether a plain-TCP engine on another machine is refused (<see cref="EcrPushSettings.RequireDockerTls"/>).</summary>
    [Pure]
    public static EcrPushSettings SetRequireDockerTls(this EcrPushSettings settings, bool requireDockerTls)
        => Checked(settings) with { RequireDockerTls = requireDockerTls };

    /// <summary>Refuses a plain-TCP engine on another machine (<see cref="EcrPushSettings.RequireDockerTls"/>).</summary>
    [Pure]
    public static EcrPushSettings EnableRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = true };

    /// <summary>Only warns about a plain-TCP engine on another machine (<see cref="EcrPushSettings.RequireDockerTls"/>).</summary>
    [Pure]
    public static EcrPushSettings DisableRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = false };

    /// <summary>Toggles <see cref="EcrPushSettings.RequireDockerTls"/>.</summary>
    [Pure]
    public static EcrPushSettings ToggleRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = !settings.RequireDockerTls };

    /// <summary>Sets the ECR API endpoint (<see cref="EcrPushSettings.EcrEndpointUrl"/>).</summary>
    [Pure]
    public static EcrPushSettings SetEcrEndpointUrl(this EcrPushSettings settings, string? ecrEndpointUrl)
        => Checked(settings) with { EcrEndpointUrl = ecrEndpointUrl };

    /// <summary>Resets the ECR API endpoint to its default (<see cref="EcrPushSettings.EcrEndpointUrl"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetEcrEndpointUrl(this EcrPushSettings settings)
        => Checked(settings) with { EcrEndpointUrl = null };

    /// <summary>Sets the proxy for the AWS calls (<see cref="EcrPushSettings.Proxy"/>).</summary>
    [Pure]
    public static EcrPushSettings SetProxy(this EcrPushSettings settings, string? proxy)
        => Checked(settings) with { Proxy = proxy };

    /// <summary>Resets the proxy for the AWS calls to its default (<see cref="EcrPushSettings.Proxy"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetProxy(this EcrPushSettings settings)
        => Checked(settings) with { Proxy = null };

    /// <summary>Sets creating the repository when it does not exist (<see cref="EcrPushSettings.AutoCreateRepository"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAutoCreateRepository(this EcrPushSettings settings, bool autoCreateRepository)
        => Checked(settings) with { AutoCreateRepository = autoCreateRepository };

    /// <summary>Resets creating the repository when it does not exist to its default, off.</summary>
    [Pure]
    public static EcrPushSettings ResetAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = false };

    /// <summary>Enables creating the repository when it does not exist.</summary>
    [Pure]
    public static EcrPushSettings EnableAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = true };

    /// <summary>Disables creating the repository when it does not exist.</summary>
    [Pure]
    public static EcrPushSettings DisableAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = false };

    /// <summary>Toggles creating the repository when it does not exist.</summary>
    [Pure]
    public static EcrPushSettings ToggleAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = !settings.AutoCreateRepository };

    /// <summary>Sets whether to use the FIPS endpoint (<see cref="EcrPushSettings.UseFipsEndpoint"/>).</summary>
    [Pure]
    public static EcrPushSettings SetUseFipsEndpoint(this EcrPushSettings settings, bool? useFipsEndpoint)
        => Checked(settings) with { UseFipsEndpoint = useFipsEndpoint };

    /// <summary>Resets the use of the FIPS endpoint to the environment's choice.</summary>
    [Pure]
    public static EcrPushSettings ResetUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = null };

    /// <summary>Enables the FIPS endpoint.</summary>
    [Pure]
    public static EcrPushSettings EnableUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = true };

    /// <summary>Disables the FIPS endpoint.</summary>
    [Pure]
    public static EcrPushSettings DisableUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = false };

    /// <summary>Toggles the FIPS endpoint; unset counts as off.</summary>
    [Pure]
    public static EcrPushSettings ToggleUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = settings.UseFipsEndpoint != true };

    /// <summary>Sets whether to use the dual-stack endpoint (<see cref="EcrPushSettings.UseDualStackEndpoint"/>).</summary>
    [Pure]
    public static EcrPushSettings SetUseDualStackEndpoint(this EcrPushSettings settings, bool? useDualStackEndpoint)
        => Checked(settings) with { UseDualStackEndpoint = useDualStackEndpoint };

    /// <summary>Resets the use of the dual-stack endpoint to the environment's choice.</summary>
    [Pure]
    public static EcrPushSettings ResetUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = null };

    /// <summary>Enables the dual-stack endpoint.</summary>
    [Pure]
    public static EcrPushSettings EnableUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = true };

    /// <summary>Disables the dual-stack endpoint.</summary>
    [Pure]
    public static EcrPushSettings DisableUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = false };

    /// <summary>Toggles the dual-stack endpoint; unset counts as off.</summary>
    [Pure]
    public static EcrPushSettings ToggleUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = settings.UseDualStackEndpoint != true };

    /// <summary>Sets how the source image is named (<see cref="EcrPushSettings.ImageIdentity"/>).</summary>
    [Pure]
    public static EcrPushSettings SetImageIdentity(this EcrPushSettings settings, ImageIdentity imageIdentity)
        => Checked(settings) with { ImageIdentity = imageIdentity };

    /// <summary>Resets how the source image is named to its default, by name and tag.</summary>
    [Pure]
    public static EcrPushSettings ResetImageIdentity(this EcrPushSettings settings)
        => Checked(settings) with { ImageIdentity = ImageIdentity.ImageName };

    /// <summary>Sets credentials from code (<see cref="EcrPushSettings.AwsCredentials"/>).</summary>
    [Pure]
    public static EcrPushSettings SetAwsCredentials(this EcrPushSettings settings, AWSCredentials? awsCredentials)
        => Checked(settings) with { AwsCredentials = awsCredentials };

    /// <summary>Resets credentials from code, so that the other sources apply.</summary>
    [Pure]
    public static EcrPushSettings ResetAwsCredentials(this EcrPushSettings settings)
        => Checked(settings) with { AwsCredentials = null };

    /// <summary>Sets the tags to push, replacing any set before (<see cref="EcrPushSettings.TargetTags"/>).</summary>
    [Pure]
    public static EcrPushSettings SetTargetTags(this EcrPushSettings settings, params string[] targetTags)
        => SetTargetTags(settings, (IEnumerable<string>)targetTags);

    /// <summary>Sets the tags to push, replacing any set before (<see cref="EcrPushSettings.TargetTags"/>).</summary>
    [Pure]
    public static EcrPushSettings SetTargetTags(this EcrPushSettings settings, IEnumerable<string> targetTags)
        => Checked(settings) with { TargetTags = [.. Checked(targetTags)] };

    /// <summary>Adds tags to push.</summary>
    [Pure]
    public static EcrPushSettings AddTargetTags(this EcrPushSettings settings, params string[] targetTags)
        => AddTargetTags(settings, (IEnumerable<string>)targetTags);

    /// <summary>Adds tags to push.</summary>
    [Pure]
    public static EcrPushSettings AddTargetTags(this EcrPushSettings settings, IEnumerable<string> targetTags)
        => Checked(settings) with { TargetTags = [.. settings.TargetTags, .. Checked(targetTags)] };

    /// <summary>Removes tags from those to push (ordinal comparison).</summary>
    [Pure]
    public static EcrPushSettings RemoveTargetTags(this EcrPushSettings settings, params string[] targetTags)
        => RemoveTargetTags(settings, (IEnumerable<string>)targetTags);

    /// <summary>Removes tags from those to push (ordinal comparison).</summary>
    [Pure]
    public static EcrPushSettings RemoveTargetTags(this EcrPushSettings settings, IEnumerable<string> targetTags)
        => Checked(settings) with { TargetTags = Without(settings.TargetTags, Checked(targetTags)) };

    /// <summary>Clears the tags to push, so that <c>latest</c> is pushed.</summary>
    [Pure]
    public static EcrPushSettings ClearTargetTags(this EcrPushSettings settings)
        => Checked(settings) with { TargetTags = [] };

    /// <summary>Resets the tags to push to the default, <c>latest</c>; the same as <see cref="ClearTargetTags"/>.</summary>
    [Pure]
    public static EcrPushSettings ResetTargetTags(this EcrPushSettings settings)
        => ClearTargetTags(settings);

    private static EcrPushSettings Checked(EcrPushSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings;
    }

    /// <summary>Sets the tag mutability of a repository this push creates (<see cref="EcrPushSettings.TagMutability"/>).</summary>
    [Pure]
    public static EcrPushSettings SetTagMutability(this EcrPushSettings settings, TagMutability? tagMutability)
        => Checked(settings) with { TagMutability = tagMutability };

    /// <summary>Resets the tag mutability of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetTagMutability(this EcrPushSettings settings)
        => Checked(settings) with { TagMutability = null };

    /// <summary>Sets the encryption of a repository this push creates (<see cref="EcrPushSettings.EncryptionType"/>).</summary>
    [Pure]
    public static EcrPushSettings SetEncryptionType(this EcrPushSettings settings, EncryptionType? encryptionType)
        => Checked(settings) with { EncryptionType = encryptionType };

    /// <summary>Resets the encryption of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetEncryptionType(this EcrPushSettings settings)
        => Checked(settings) with { EncryptionType = null };

    /// <summary>Sets the KMS key of a repository this push creates (<see cref="EcrPushSettings.KmsKey"/>).</summary>
    [Pure]
    public static EcrPushSettings SetKmsKey(this EcrPushSettings settings, string? kmsKey)
        => Checked(settings) with { KmsKey = kmsKey };

    /// <summary>Resets the KMS key of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetKmsKey(this EcrPushSettings settings)
        => Checked(settings) with { KmsKey = null };

    /// <summary>Sets the lifecycle policy (JSON text) of a repository this push creates (<see cref="EcrPushSettings.LifecyclePolicy"/>).</summary>
    [Pure]
    public static EcrPushSettings SetLifecyclePolicy(this EcrPushSettings settings, string? lifecyclePolicy)
        => Checked(settings) with { LifecyclePolicy = lifecyclePolicy };

    /// <summary>Resets the lifecycle policy (JSON text) of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetLifecyclePolicy(this EcrPushSettings settings)
        => Checked(settings) with { LifecyclePolicy = null };

    /// <summary>Sets the lifecycle policy file of a repository this push creates (<see cref="EcrPushSettings.LifecyclePolicyFile"/>).</summary>
    [Pure]
    public static EcrPushSettings SetLifecyclePolicyFile(this EcrPushSettings settings, string? lifecyclePolicyFile)
        => Checked(settings) with { LifecyclePolicyFile = lifecyclePolicyFile };

    /// <summary>Resets the lifecycle policy file of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetLifecyclePolicyFile(this EcrPushSettings settings)
        => Checked(settings) with { LifecyclePolicyFile = null };

    /// <summary>Sets the repository policy (JSON text) of a repository this push creates (<see cref="EcrPushSettings.RepositoryPolicy"/>).</summary>
    [Pure]
    public static EcrPushSettings SetRepositoryPolicy(this EcrPushSettings settings, string? repositoryPolicy)
        => Checked(settings) with { RepositoryPolicy = repositoryPolicy };

    /// <summary>Resets the repository policy (JSON text) of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetRepositoryPolicy(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryPolicy = null };

    /// <summary>Sets the repository policy file of a repository this push creates (<see cref="EcrPushSettings.RepositoryPolicyFile"/>).</summary>
    [Pure]
    public static EcrPushSettings SetRepositoryPolicyFile(this EcrPushSettings settings, string? repositoryPolicyFile)
        => Checked(settings) with { RepositoryPolicyFile = repositoryPolicyFile };

    /// <summary>Resets the repository policy file of a repository this push creates to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetRepositoryPolicyFile(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryPolicyFile = null };

    /// <summary>Sets whether a repository this push creates scans images on push (<see cref="EcrPushSettings.ScanOnPush"/>).</summary>
    [Pure]
    public static EcrPushSettings SetScanOnPush(this EcrPushSettings settings, bool? scanOnPush)
        => Checked(settings) with { ScanOnPush = scanOnPush };

    /// <summary>Resets scan on push to ECR's default.</summary>
    [Pure]
    public static EcrPushSettings ResetScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = null };

    /// <summary>Enables scan on push for a repository this push creates.</summary>
    [Pure]
    public static EcrPushSettings EnableScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = true };

    /// <summary>Disables scan on push for a repository this push creates.</summary>
    [Pure]
    public static EcrPushSettings DisableScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = false };

    /// <summary>Toggles scan on push; unset counts as off.</summary>
    [Pure]
    public static EcrPushSettings ToggleScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = settings.ScanOnPush != true };

    /// <summary>Sets the tag mutability exclusion filters, replacing any set before.</summary>
    [Pure]
    public static EcrPushSettings SetTagMutabilityExclusionFilters(this EcrPushSettings settings, params string[] filters)
        => SetTagMutabilityExclusionFilters(settings, (IEnumerable<string>)filters);

    /// <summary>Sets the tag mutability exclusion filters, replacing any set before.</summary>
    [Pure]
    public static EcrPushSettings SetTagMutabilityExclusionFilters(this EcrPushSettings settings, IEnumerable<string> filters)
        => Checked(settings) with { TagMutabilityExclusionFilters = [.. Checked(filters)] };

    /// <summary>Adds to the tag mutability exclusion filters.</summary>
    [Pure]
    public static EcrPushSettings AddTagMutabilityExclusionFilters(this EcrPushSettings settings, params string[] filters)
        => AddTagMutabilityExclusionFilters(settings, (IEnumerable<string>)filters);

    /// <summary>Adds to the tag mutability exclusion filters.</summary>
    [Pure]
    public static EcrPushSettings AddTagMutabilityExclusionFilters(this EcrPushSettings settings, IEnumerable<string> filters)
        => Checked(settings) with { TagMutabilityExclusionFilters = [.. settings.TagMutabilityExclusionFilters, .. Checked(filters)] };

    /// <summary>Removes from the tag mutability exclusion filters.</summary>
    [Pure]
    public static EcrPushSettings RemoveTagMutabilityExclusionFilters(this EcrPushSettings settings, params string[] filters)
        => RemoveTagMutabilityExclusionFilters(settings, (IEnumerable<string>)filters);

    /// <summary>Removes from the tag mutability exclusion filters.</summary>
    [Pure]
    public static EcrPushSettings RemoveTagMutabilityExclusionFilters(this EcrPushSettings settings, IEnumerable<string> filters)
        => Checked(settings) with { TagMutabilityExclusionFilters = Without(settings.TagMutabilityExclusionFilters, Checked(filters)) };

    /// <summary>Clears the tag mutability exclusion filters.</summary>
    [Pure]
    public static EcrPushSettings ClearTagMutabilityExclusionFilters(this EcrPushSettings settings)
        => Checked(settings) with { TagMutabilityExclusionFilters = [] };

    /// <summary>Resets the tag mutability exclusion filters to none; the same as <see cref="ClearTagMutabilityExclusionFilters"/>.</summary>
    [Pure]
    public static EcrPushSettings ResetTagMutabilityExclusionFilters(this EcrPushSettings settings)
        => ClearTagMutabilityExclusionFilters(settings);

    /// <summary>Sets the additional destinations, replacing any set before.</summary>
    [Pure]
    public static EcrPushSettings SetDestinations(this EcrPushSettings settings, params EcrDestination[] destinations)
        => SetDestinations(settings, (IEnumerable<EcrDestination>)destinations);

    /// <summary>Sets the additional destinations, replacing any set before.</summary>
    [Pure]
    public static EcrPushSettings SetDestinations(this EcrPushSettings settings, IEnumerable<EcrDestination> destinations)
        => Checked(settings) with { Destinations = [.. Checked(destinations)] };

    /// <summary>Adds to the additional destinations.</summary>
    [Pure]
    public static EcrPushSettings AddDestinations(this EcrPushSettings settings, params EcrDestination[] destinations)
        => AddDestinations(settings, (IEnumerable<EcrDestination>)destinations);

    /// <summary>Adds to the additional destinations.</summary>
    [Pure]
    public static EcrPushSettings AddDestinations(this EcrPushSettings settings, IEnumerable<EcrDestination> destinations)
        => Checked(settings) with { Destinations = [.. settings.Destinations, .. Checked(destinations)] };

    /// <summary>Removes from the additional destinations.</summary>
    [Pure]
    public static EcrPushSettings RemoveDestinations(this EcrPushSettings settings, params EcrDestination[] destinations)
        => RemoveDestinations(settings, (IEnumerable<EcrDestination>)destinations);

    /// <summary>Removes from the additional destinations.</summary>
    [Pure]
    public static EcrPushSettings RemoveDestinations(this EcrPushSettings settings, IEnumerable<EcrDestination> destinations)
        => Checked(settings) with { Destinations = Without(settings.Destinations, Checked(destinations)) };

    /// <summary>Clears the additional destinations.</summary>
    [Pure]
    public static EcrPushSettings ClearDestinations(this EcrPushSettings settings)
        => Checked(settings) with { Destinations = [] };

    /// <summary>Resets the additional destinations to none; the same as <see cref="ClearDestinations"/>.</summary>
    [Pure]
    public static EcrPushSettings ResetDestinations(this EcrPushSettings settings)
        => ClearDestinations(settings);

    /// <summary>Sets the resource tags of a repository this push creates, replacing any set before.</summary>
    [Pure]
    public static EcrPushSettings SetRepositoryTags(this EcrPushSettings settings, IReadOnlyDictionary<string, string> repositoryTags)
        => Checked(settings) with { RepositoryTags = new Dictionary<string, string>(Checked(repositoryTags), StringComparer.Ordinal).AsReadOnly() };

    /// <summary>Adds (or replaces) one resource tag of a repository this push creates.</summary>
    [Pure]
    public static EcrPushSettings AddRepositoryTag(this EcrPushSettings settings, string key, string value)
        => Checked(settings) with { RepositoryTags = new Dictionary<string, string>(settings.RepositoryTags, StringComparer.Ordinal) { [key] = value }.AsReadOnly() };

    /// <summary>Removes one resource tag.</summary>
    [Pure]
    public static EcrPushSettings RemoveRepositoryTag(this EcrPushSettings settings, string key)
        => Checked(settings) with { RepositoryTags = settings.RepositoryTags.Where(t => !string.Equals(t.Key, key, StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal).AsReadOnly() };

    /// <summary>Clears the resource tags.</summary>
    [Pure]
    public static EcrPushSettings ClearRepositoryTags(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryTags = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty };

    /// <summary>Resets the resource tags to none; the same as <see cref="ClearRepositoryTags"/>.</summary>
    [Pure]
    public static EcrPushSettings ResetRepositoryTags(this EcrPushSettings settings)
        => ClearRepositoryTags(settings);

    /// <summary>Sets where the push's messages go (<see cref="EcrPushSettings.Logger"/>).</summary>
    [Pure]
    public static EcrPushSettings SetLogger(this EcrPushSettings settings, Serilog.ILogger? logger)
        => Checked(settings) with { Logger = logger };

    /// <summary>Resets where the push's messages go to Serilog's static <c>Log</c> (<see cref="EcrPushSettings.Logger"/>).</summary>
    [Pure]
    public static EcrPushSettings ResetLogger(this EcrPushSettings settings)
        => Checked(settings) with { Logger = null };

    /// <summary>
    /// Applies <paramref name="configurator"/> only when <paramref name="condition"/> holds, as Nuke's <c>When</c> does:
    /// <c>_.When(IsServerBuild, _ =&gt; _.AddTargetTags(BuildNumber))</c>.
    /// </summary>
    [Pure]
    public static EcrPushSettings When(this EcrPushSettings settings, bool condition, Func<EcrPushSettings, EcrPushSettings> configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        return condition ? Configured(Checked(settings), configurator) : Checked(settings);
    }

    /// <summary>
    /// One settings object per value, each <paramref name="configurator"/>'s change of these settings, as Nuke's
    /// <c>CombineWith</c> does: <c>EcrPush(_ =&gt; _.SetRepositoryName("team/web").CombineWith(regions, (_, region) =&gt; _.SetRegion(region)))</c>
    /// pushes once per region, concurrently.
    /// </summary>
    [Pure]
    public static IEnumerable<EcrPushSettings> CombineWith<T>(this EcrPushSettings settings, IEnumerable<T> values, Func<EcrPushSettings, T, EcrPushSettings> configurator)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(configurator);
        var configured = Checked(settings);
        return [.. values.Select(value => Configured(configured, s => configurator(s, value)))];
    }

    /// <summary>Runs a settings delegate, which must return the settings it made.</summary>
    internal static EcrPushSettings Configured(EcrPushSettings settings, Func<EcrPushSettings, EcrPushSettings> configurator)
        => configurator(settings)
            ?? throw new EcrPushException("A settings configurator returned null: return the settings it was given, changed with the Set/Enable/Add methods (_ => _.SetRepositoryName(\"team/web\")).");

    // Not Enumerable.Except: that would also fold duplicates, which validation must still see and report.
    private static T[] Without<T>(IReadOnlyList<T> items, IEnumerable<T> removed)
    {
        var remove = removed.ToHashSet();
        return [.. items.Where(item => !remove.Contains(item))];
    }

    private static T Checked<T>(T values)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(values);
        return values;
    }
}

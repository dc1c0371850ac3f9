using System.Diagnostics.Contracts;
using Amazon.Runtime;

namespace Ecr;

/// <summary>
/// Fluent, side-effect-free changes to <see cref="EcrPushSettings"/>, named as Nuke names its tool settings:
/// each returns a new settings object and leaves the one it was called on as it was.
/// </summary>
/// <remarks>
/// Every setting has the whole set its type calls for, as Nuke's generated tool settings have: a value Set and Reset;
/// a switch also Enable, Disable and Toggle; a list Set, Add and Remove (each with params and IEnumerable), Clear and
/// Reset; the dictionary Set, Set/Add/Remove one entry, Clear and Reset. Each method's documentation is its setting's
/// (inheritdoc, as Nuke's are). Written, not generated: a generator would put an analyzer project into the build and
/// packaging for about 50 settings, and several methods carry a meaning of their own (a toggle of an unset switch, an
/// Add of a key that is there). SettingsExtensionsTests holds the set whole: it fails when a setting lacks a method
/// its type calls for, or a method's documentation is not its setting's.
/// </remarks>
public static partial class EcrPushSettingsExtensions
{
    /// <inheritdoc cref="EcrPushSettings.Region"/>
    [Pure]
    public static EcrPushSettings SetRegion(this EcrPushSettings settings, string? region)
        => Checked(settings) with { Region = region };

    /// <inheritdoc cref="EcrPushSettings.Region"/>
    [Pure]
    public static EcrPushSettings ResetRegion(this EcrPushSettings settings)
        => Checked(settings) with { Region = null };

    /// <inheritdoc cref="EcrPushSettings.ImageIdentity"/>
    [Pure]
    public static EcrPushSettings SetImageIdentity(this EcrPushSettings settings, ImageIdentity? imageIdentity)
        => Checked(settings) with { ImageIdentity = imageIdentity };

    /// <inheritdoc cref="EcrPushSettings.ImageIdentity"/>
    [Pure]
    public static EcrPushSettings ResetImageIdentity(this EcrPushSettings settings)
        => Checked(settings) with { ImageIdentity = null };

    /// <inheritdoc cref="EcrPushSettings.SourceImageName"/>
    [Pure]
    public static EcrPushSettings SetSourceImageName(this EcrPushSettings settings, string? sourceImageName)
        => Checked(settings) with { SourceImageName = sourceImageName };

    /// <inheritdoc cref="EcrPushSettings.SourceImageName"/>
    [Pure]
    public static EcrPushSettings ResetSourceImageName(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageName = null };

    /// <inheritdoc cref="EcrPushSettings.SourceImageTag"/>
    [Pure]
    public static EcrPushSettings SetSourceImageTag(this EcrPushSettings settings, string? sourceImageTag)
        => Checked(settings) with { SourceImageTag = sourceImageTag };

    /// <inheritdoc cref="EcrPushSettings.SourceImageTag"/>
    [Pure]
    public static EcrPushSettings ResetSourceImageTag(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageTag = null };

    /// <inheritdoc cref="EcrPushSettings.SourceImageId"/>
    [Pure]
    public static EcrPushSettings SetSourceImageId(this EcrPushSettings settings, string? sourceImageId)
        => Checked(settings) with { SourceImageId = sourceImageId };

    /// <inheritdoc cref="EcrPushSettings.SourceImageId"/>
    [Pure]
    public static EcrPushSettings ResetSourceImageId(this EcrPushSettings settings)
        => Checked(settings) with { SourceImageId = null };

    /// <inheritdoc cref="EcrPushSettings.RepositoryName"/>
    [Pure]
    public static EcrPushSettings SetRepositoryName(this EcrPushSettings settings, string? repositoryName)
        => Checked(settings) with { RepositoryName = repositoryName };

    /// <inheritdoc cref="EcrPushSettings.RepositoryName"/>
    [Pure]
    public static EcrPushSettings ResetRepositoryName(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryName = null };

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetTargetTags(this EcrPushSettings settings, params string[] targetTags)
        => SetTargetTags(settings, (IEnumerable<string>)targetTags);

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetTargetTags(this EcrPushSettings settings, IEnumerable<string> targetTags)
        => Checked(settings) with { TargetTags = [.. Checked(targetTags)] };

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddTargetTags(this EcrPushSettings settings, params string[] targetTags)
        => AddTargetTags(settings, (IEnumerable<string>)targetTags);

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddTargetTags(this EcrPushSettings settings, IEnumerable<string> targetTags)
        => Checked(settings) with { TargetTags = [.. settings.TargetTags, .. Checked(targetTags)] };

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveTargetTags(this EcrPushSettings settings, params string[] targetTags)
        => RemoveTargetTags(settings, (IEnumerable<string>)targetTags);

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveTargetTags(this EcrPushSettings settings, IEnumerable<string> targetTags)
        => Checked(settings) with { TargetTags = Without(settings.TargetTags, Checked(targetTags)) };

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    [Pure]
    public static EcrPushSettings ClearTargetTags(this EcrPushSettings settings)
        => Checked(settings) with { TargetTags = [] };

    /// <inheritdoc cref="EcrPushSettings.TargetTags"/>
    /// <remarks>The same as <see cref="ClearTargetTags"/>: the default is none, which pushes <c>latest</c>.</remarks>
    [Pure]
    public static EcrPushSettings ResetTargetTags(this EcrPushSettings settings)
        => ClearTargetTags(settings);

    /// <inheritdoc cref="EcrPushSettings.AutoCreateRepository"/>
    [Pure]
    public static EcrPushSettings SetAutoCreateRepository(this EcrPushSettings settings, bool autoCreateRepository)
        => Checked(settings) with { AutoCreateRepository = autoCreateRepository };

    /// <inheritdoc cref="EcrPushSettings.AutoCreateRepository"/>
    [Pure]
    public static EcrPushSettings ResetAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = false };

    /// <inheritdoc cref="EcrPushSettings.AutoCreateRepository"/>
    [Pure]
    public static EcrPushSettings EnableAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = true };

    /// <inheritdoc cref="EcrPushSettings.AutoCreateRepository"/>
    [Pure]
    public static EcrPushSettings DisableAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = false };

    /// <inheritdoc cref="EcrPushSettings.AutoCreateRepository"/>
    [Pure]
    public static EcrPushSettings ToggleAutoCreateRepository(this EcrPushSettings settings)
        => Checked(settings) with { AutoCreateRepository = !settings.AutoCreateRepository };

    /// <inheritdoc cref="EcrPushSettings.OutputVariable"/>
    [Pure]
    public static EcrPushSettings SetOutputVariable(this EcrPushSettings settings, string? outputVariable)
        => Checked(settings) with { OutputVariable = outputVariable };

    /// <inheritdoc cref="EcrPushSettings.OutputVariable"/>
    [Pure]
    public static EcrPushSettings ResetOutputVariable(this EcrPushSettings settings)
        => Checked(settings) with { OutputVariable = null };

    /// <inheritdoc cref="EcrPushSettings.AwsAccessKeyId"/>
    [Pure]
    public static EcrPushSettings SetAwsAccessKeyId(this EcrPushSettings settings, string? awsAccessKeyId)
        => Checked(settings) with { AwsAccessKeyId = awsAccessKeyId };

    /// <inheritdoc cref="EcrPushSettings.AwsAccessKeyId"/>
    [Pure]
    public static EcrPushSettings ResetAwsAccessKeyId(this EcrPushSettings settings)
        => Checked(settings) with { AwsAccessKeyId = null };

    /// <inheritdoc cref="EcrPushSettings.AwsSecretAccessKey"/>
    [Pure]
    public static EcrPushSettings SetAwsSecretAccessKey(this EcrPushSettings settings, string? awsSecretAccessKey)
        => Checked(settings) with { AwsSecretAccessKey = awsSecretAccessKey };

    /// <inheritdoc cref="EcrPushSettings.AwsSecretAccessKey"/>
    [Pure]
    public static EcrPushSettings ResetAwsSecretAccessKey(this EcrPushSettings settings)
        => Checked(settings) with { AwsSecretAccessKey = null };

    /// <inheritdoc cref="EcrPushSettings.AwsSessionToken"/>
    [Pure]
    public static EcrPushSettings SetAwsSessionToken(this EcrPushSettings settings, string? awsSessionToken)
        => Checked(settings) with { AwsSessionToken = awsSessionToken };

    /// <inheritdoc cref="EcrPushSettings.AwsSessionToken"/>
    [Pure]
    public static EcrPushSettings ResetAwsSessionToken(this EcrPushSettings settings)
        => Checked(settings) with { AwsSessionToken = null };

    /// <inheritdoc cref="EcrPushSettings.AwsProfile"/>
    [Pure]
    public static EcrPushSettings SetAwsProfile(this EcrPushSettings settings, string? awsProfile)
        => Checked(settings) with { AwsProfile = awsProfile };

    /// <inheritdoc cref="EcrPushSettings.AwsProfile"/>
    [Pure]
    public static EcrPushSettings ResetAwsProfile(this EcrPushSettings settings)
        => Checked(settings) with { AwsProfile = null };

    /// <inheritdoc cref="EcrPushSettings.AwsRoleArn"/>
    [Pure]
    public static EcrPushSettings SetAwsRoleArn(this EcrPushSettings settings, string? awsRoleArn)
        => Checked(settings) with { AwsRoleArn = awsRoleArn };

    /// <inheritdoc cref="EcrPushSettings.AwsRoleArn"/>
    [Pure]
    public static EcrPushSettings ResetAwsRoleArn(this EcrPushSettings settings)
        => Checked(settings) with { AwsRoleArn = null };

    /// <inheritdoc cref="EcrPushSettings.AwsExternalId"/>
    [Pure]
    public static EcrPushSettings SetAwsExternalId(this EcrPushSettings settings, string? awsExternalId)
        => Checked(settings) with { AwsExternalId = awsExternalId };

    /// <inheritdoc cref="EcrPushSettings.AwsExternalId"/>
    [Pure]
    public static EcrPushSettings ResetAwsExternalId(this EcrPushSettings settings)
        => Checked(settings) with { AwsExternalId = null };

    /// <inheritdoc cref="EcrPushSettings.AwsRoleSessionName"/>
    [Pure]
    public static EcrPushSettings SetAwsRoleSessionName(this EcrPushSettings settings, string? awsRoleSessionName)
        => Checked(settings) with { AwsRoleSessionName = awsRoleSessionName };

    /// <inheritdoc cref="EcrPushSettings.AwsRoleSessionName"/>
    [Pure]
    public static EcrPushSettings ResetAwsRoleSessionName(this EcrPushSettings settings)
        => Checked(settings) with { AwsRoleSessionName = null };

    /// <inheritdoc cref="EcrPushSettings.AwsCredentials"/>
    [Pure]
    public static EcrPushSettings SetAwsCredentials(this EcrPushSettings settings, AWSCredentials? awsCredentials)
        => Checked(settings) with { AwsCredentials = awsCredentials };

    /// <inheritdoc cref="EcrPushSettings.AwsCredentials"/>
    [Pure]
    public static EcrPushSettings ResetAwsCredentials(this EcrPushSettings settings)
        => Checked(settings) with { AwsCredentials = null };

    /// <inheritdoc cref="EcrPushSettings.RegistryId"/>
    [Pure]
    public static EcrPushSettings SetRegistryId(this EcrPushSettings settings, string? registryId)
        => Checked(settings) with { RegistryId = registryId };

    /// <inheritdoc cref="EcrPushSettings.RegistryId"/>
    [Pure]
    public static EcrPushSettings ResetRegistryId(this EcrPushSettings settings)
        => Checked(settings) with { RegistryId = null };

    /// <inheritdoc cref="EcrPushSettings.DockerHost"/>
    [Pure]
    public static EcrPushSettings SetDockerHost(this EcrPushSettings settings, string? dockerHost)
        => Checked(settings) with { DockerHost = dockerHost };

    /// <inheritdoc cref="EcrPushSettings.DockerHost"/>
    [Pure]
    public static EcrPushSettings ResetDockerHost(this EcrPushSettings settings)
        => Checked(settings) with { DockerHost = null };

    /// <inheritdoc cref="EcrPushSettings.DockerTlsVerify"/>
    [Pure]
    public static EcrPushSettings SetDockerTlsVerify(this EcrPushSettings settings, bool? dockerTlsVerify)
        => Checked(settings) with { DockerTlsVerify = dockerTlsVerify };

    /// <inheritdoc cref="EcrPushSettings.DockerTlsVerify"/>
    [Pure]
    public static EcrPushSettings ResetDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = null };

    /// <inheritdoc cref="EcrPushSettings.DockerTlsVerify"/>
    [Pure]
    public static EcrPushSettings EnableDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = true };

    /// <inheritdoc cref="EcrPushSettings.DockerTlsVerify"/>
    [Pure]
    public static EcrPushSettings DisableDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = false };

    /// <inheritdoc cref="EcrPushSettings.DockerTlsVerify"/>
    /// <remarks>Unset counts as off, so that the first toggle turns it on.</remarks>
    [Pure]
    public static EcrPushSettings ToggleDockerTlsVerify(this EcrPushSettings settings)
        => Checked(settings) with { DockerTlsVerify = settings.DockerTlsVerify != true };

    /// <inheritdoc cref="EcrPushSettings.DockerCertPath"/>
    [Pure]
    public static EcrPushSettings SetDockerCertPath(this EcrPushSettings settings, string? dockerCertPath)
        => Checked(settings) with { DockerCertPath = dockerCertPath };

    /// <inheritdoc cref="EcrPushSettings.DockerCertPath"/>
    [Pure]
    public static EcrPushSettings ResetDockerCertPath(this EcrPushSettings settings)
        => Checked(settings) with { DockerCertPath = null };

    /// <inheritdoc cref="EcrPushSettings.DockerContext"/>
    [Pure]
    public static EcrPushSettings SetDockerContext(this EcrPushSettings settings, string? dockerContext)
        => Checked(settings) with { DockerContext = dockerContext };

    /// <inheritdoc cref="EcrPushSettings.DockerContext"/>
    [Pure]
    public static EcrPushSettings ResetDockerContext(this EcrPushSettings settings)
        => Checked(settings) with { DockerContext = null };

    /// <inheritdoc cref="EcrPushSettings.RequireDockerTls"/>
    [Pure]
    public static EcrPushSettings SetRequireDockerTls(this EcrPushSettings settings, bool requireDockerTls)
        => Checked(settings) with { RequireDockerTls = requireDockerTls };

    /// <inheritdoc cref="EcrPushSettings.RequireDockerTls"/>
    [Pure]
    public static EcrPushSettings ResetRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = false };

    /// <inheritdoc cref="EcrPushSettings.RequireDockerTls"/>
    [Pure]
    public static EcrPushSettings EnableRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = true };

    /// <inheritdoc cref="EcrPushSettings.RequireDockerTls"/>
    [Pure]
    public static EcrPushSettings DisableRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = false };

    /// <inheritdoc cref="EcrPushSettings.RequireDockerTls"/>
    [Pure]
    public static EcrPushSettings ToggleRequireDockerTls(this EcrPushSettings settings)
        => Checked(settings) with { RequireDockerTls = !settings.RequireDockerTls };

    /// <inheritdoc cref="EcrPushSettings.UseFipsEndpoint"/>
    [Pure]
    public static EcrPushSettings SetUseFipsEndpoint(this EcrPushSettings settings, bool? useFipsEndpoint)
        => Checked(settings) with { UseFipsEndpoint = useFipsEndpoint };

    /// <inheritdoc cref="EcrPushSettings.UseFipsEndpoint"/>
    [Pure]
    public static EcrPushSettings ResetUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = null };

    /// <inheritdoc cref="EcrPushSettings.UseFipsEndpoint"/>
    [Pure]
    public static EcrPushSettings EnableUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = true };

    /// <inheritdoc cref="EcrPushSettings.UseFipsEndpoint"/>
    [Pure]
    public static EcrPushSettings DisableUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = false };

    /// <inheritdoc cref="EcrPushSettings.UseFipsEndpoint"/>
    /// <remarks>Unset counts as off, so that the first toggle turns it on.</remarks>
    [Pure]
    public static EcrPushSettings ToggleUseFipsEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseFipsEndpoint = settings.UseFipsEndpoint != true };

    /// <inheritdoc cref="EcrPushSettings.UseDualStackEndpoint"/>
    [Pure]
    public static EcrPushSettings SetUseDualStackEndpoint(this EcrPushSettings settings, bool? useDualStackEndpoint)
        => Checked(settings) with { UseDualStackEndpoint = useDualStackEndpoint };

    /// <inheritdoc cref="EcrPushSettings.UseDualStackEndpoint"/>
    [Pure]
    public static EcrPushSettings ResetUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = null };

    /// <inheritdoc cref="EcrPushSettings.UseDualStackEndpoint"/>
    [Pure]
    public static EcrPushSettings EnableUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = true };

    /// <inheritdoc cref="EcrPushSettings.UseDualStackEndpoint"/>
    [Pure]
    public static EcrPushSettings DisableUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = false };

    /// <inheritdoc cref="EcrPushSettings.UseDualStackEndpoint"/>
    /// <remarks>Unset counts as off, so that the first toggle turns it on.</remarks>
    [Pure]
    public static EcrPushSettings ToggleUseDualStackEndpoint(this EcrPushSettings settings)
        => Checked(settings) with { UseDualStackEndpoint = settings.UseDualStackEndpoint != true };

    /// <inheritdoc cref="EcrPushSettings.EcrEndpointUrl"/>
    [Pure]
    public static EcrPushSettings SetEcrEndpointUrl(this EcrPushSettings settings, string? ecrEndpointUrl)
        => Checked(settings) with { EcrEndpointUrl = ecrEndpointUrl };

    /// <inheritdoc cref="EcrPushSettings.EcrEndpointUrl"/>
    [Pure]
    public static EcrPushSettings ResetEcrEndpointUrl(this EcrPushSettings settings)
        => Checked(settings) with { EcrEndpointUrl = null };

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetDestinations(this EcrPushSettings settings, params EcrDestination[] destinations)
        => SetDestinations(settings, (IEnumerable<EcrDestination>)destinations);

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetDestinations(this EcrPushSettings settings, IEnumerable<EcrDestination> destinations)
        => Checked(settings) with { Destinations = [.. Checked(destinations)] };

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddDestinations(this EcrPushSettings settings, params EcrDestination[] destinations)
        => AddDestinations(settings, (IEnumerable<EcrDestination>)destinations);

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddDestinations(this EcrPushSettings settings, IEnumerable<EcrDestination> destinations)
        => Checked(settings) with { Destinations = [.. settings.Destinations, .. Checked(destinations)] };

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveDestinations(this EcrPushSettings settings, params EcrDestination[] destinations)
        => RemoveDestinations(settings, (IEnumerable<EcrDestination>)destinations);

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveDestinations(this EcrPushSettings settings, IEnumerable<EcrDestination> destinations)
        => Checked(settings) with { Destinations = Without(settings.Destinations, Checked(destinations)) };

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    [Pure]
    public static EcrPushSettings ClearDestinations(this EcrPushSettings settings)
        => Checked(settings) with { Destinations = [] };

    /// <inheritdoc cref="EcrPushSettings.Destinations"/>
    /// <remarks>The same as <see cref="ClearDestinations"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetDestinations(this EcrPushSettings settings)
        => ClearDestinations(settings);

    /// <inheritdoc cref="EcrPushSettings.ScanOnPush"/>
    [Pure]
    public static EcrPushSettings SetScanOnPush(this EcrPushSettings settings, bool? scanOnPush)
        => Checked(settings) with { ScanOnPush = scanOnPush };

    /// <inheritdoc cref="EcrPushSettings.ScanOnPush"/>
    [Pure]
    public static EcrPushSettings ResetScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = null };

    /// <inheritdoc cref="EcrPushSettings.ScanOnPush"/>
    [Pure]
    public static EcrPushSettings EnableScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = true };

    /// <inheritdoc cref="EcrPushSettings.ScanOnPush"/>
    [Pure]
    public static EcrPushSettings DisableScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = false };

    /// <inheritdoc cref="EcrPushSettings.ScanOnPush"/>
    /// <remarks>Unset counts as off, so that the first toggle turns it on.</remarks>
    [Pure]
    public static EcrPushSettings ToggleScanOnPush(this EcrPushSettings settings)
        => Checked(settings) with { ScanOnPush = settings.ScanOnPush != true };

    /// <inheritdoc cref="EcrPushSettings.TagMutability"/>
    [Pure]
    public static EcrPushSettings SetTagMutability(this EcrPushSettings settings, TagMutability? tagMutability)
        => Checked(settings) with { TagMutability = tagMutability };

    /// <inheritdoc cref="EcrPushSettings.TagMutability"/>
    [Pure]
    public static EcrPushSettings ResetTagMutability(this EcrPushSettings settings)
        => Checked(settings) with { TagMutability = null };

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetTagMutabilityExclusionFilters(this EcrPushSettings settings, params string[] filters)
        => SetTagMutabilityExclusionFilters(settings, (IEnumerable<string>)filters);

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>Replaces the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings SetTagMutabilityExclusionFilters(this EcrPushSettings settings, IEnumerable<string> filters)
        => Checked(settings) with { TagMutabilityExclusionFilters = [.. Checked(filters)] };

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddTagMutabilityExclusionFilters(this EcrPushSettings settings, params string[] filters)
        => AddTagMutabilityExclusionFilters(settings, (IEnumerable<string>)filters);

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>Adds after the entries set before.</remarks>
    [Pure]
    public static EcrPushSettings AddTagMutabilityExclusionFilters(this EcrPushSettings settings, IEnumerable<string> filters)
        => Checked(settings) with { TagMutabilityExclusionFilters = [.. settings.TagMutabilityExclusionFilters, .. Checked(filters)] };

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveTagMutabilityExclusionFilters(this EcrPushSettings settings, params string[] filters)
        => RemoveTagMutabilityExclusionFilters(settings, (IEnumerable<string>)filters);

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>Removes every entry equal to one given.</remarks>
    [Pure]
    public static EcrPushSettings RemoveTagMutabilityExclusionFilters(this EcrPushSettings settings, IEnumerable<string> filters)
        => Checked(settings) with { TagMutabilityExclusionFilters = Without(settings.TagMutabilityExclusionFilters, Checked(filters)) };

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    [Pure]
    public static EcrPushSettings ClearTagMutabilityExclusionFilters(this EcrPushSettings settings)
        => Checked(settings) with { TagMutabilityExclusionFilters = [] };

    /// <inheritdoc cref="EcrPushSettings.TagMutabilityExclusionFilters"/>
    /// <remarks>The same as <see cref="ClearTagMutabilityExclusionFilters"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetTagMutabilityExclusionFilters(this EcrPushSettings settings)
        => ClearTagMutabilityExclusionFilters(settings);

    /// <inheritdoc cref="EcrPushSettings.EncryptionType"/>
    [Pure]
    public static EcrPushSettings SetEncryptionType(this EcrPushSettings settings, EncryptionType? encryptionType)
        => Checked(settings) with { EncryptionType = encryptionType };

    /// <inheritdoc cref="EcrPushSettings.EncryptionType"/>
    [Pure]
    public static EcrPushSettings ResetEncryptionType(this EcrPushSettings settings)
        => Checked(settings) with { EncryptionType = null };

    /// <inheritdoc cref="EcrPushSettings.KmsKey"/>
    [Pure]
    public static EcrPushSettings SetKmsKey(this EcrPushSettings settings, string? kmsKey)
        => Checked(settings) with { KmsKey = kmsKey };

    /// <inheritdoc cref="EcrPushSettings.KmsKey"/>
    [Pure]
    public static EcrPushSettings ResetKmsKey(this EcrPushSettings settings)
        => Checked(settings) with { KmsKey = null };

    /// <inheritdoc cref="EcrPushSettings.RepositoryTags"/>
    /// <remarks>Replaces the tags set before.</remarks>
    [Pure]
    public static EcrPushSettings SetRepositoryTags(this EcrPushSettings settings, IReadOnlyDictionary<string, string> repositoryTags)
        => Checked(settings) with { RepositoryTags = new Dictionary<string, string>(Checked(repositoryTags), StringComparer.Ordinal).AsReadOnly() };

    /// <inheritdoc cref="EcrPushSettings.RepositoryTags"/>
    /// <remarks>Sets one tag, replacing its value if the key is there already.</remarks>
    [Pure]
    public static EcrPushSettings SetRepositoryTag(this EcrPushSettings settings, string key, string value)
        => Checked(settings) with { RepositoryTags = new Dictionary<string, string>(settings.RepositoryTags, StringComparer.Ordinal) { [Checked(key)] = value }.AsReadOnly() };

    /// <inheritdoc cref="EcrPushSettings.RepositoryTags"/>
    /// <remarks>Adds one tag; a key that is there already is an error, as Nuke's Add methods have it (<see cref="SetRepositoryTag"/> replaces).</remarks>
    /// <exception cref="EcrPushException">The key is there already.</exception>
    [Pure]
    public static EcrPushSettings AddRepositoryTag(this EcrPushSettings settings, string key, string value)
        => Checked(settings).RepositoryTags.TryGetValue(Checked(key), out var existing)
            ? throw new EcrPushException($"AddRepositoryTag(\"{key}\", …): RepositoryTags has the key '{key}' already (with the value '{existing}'). Replace its value with SetRepositoryTag, or remove it first with RemoveRepositoryTag.")
            : SetRepositoryTag(settings, key, value);

    /// <inheritdoc cref="EcrPushSettings.RepositoryTags"/>
    /// <remarks>Removes one tag by its key; a key that is not there is no error.</remarks>
    [Pure]
    public static EcrPushSettings RemoveRepositoryTag(this EcrPushSettings settings, string key)
        => Checked(settings) with { RepositoryTags = settings.RepositoryTags.Where(t => !string.Equals(t.Key, key, StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal).AsReadOnly() };

    /// <inheritdoc cref="EcrPushSettings.RepositoryTags"/>
    [Pure]
    public static EcrPushSettings ClearRepositoryTags(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryTags = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty };

    /// <inheritdoc cref="EcrPushSettings.RepositoryTags"/>
    /// <remarks>The same as <see cref="ClearRepositoryTags"/>: the default is none.</remarks>
    [Pure]
    public static EcrPushSettings ResetRepositoryTags(this EcrPushSettings settings)
        => ClearRepositoryTags(settings);

    /// <inheritdoc cref="EcrPushSettings.LifecyclePolicy"/>
    [Pure]
    public static EcrPushSettings SetLifecyclePolicy(this EcrPushSettings settings, string? lifecyclePolicy)
        => Checked(settings) with { LifecyclePolicy = lifecyclePolicy };

    /// <inheritdoc cref="EcrPushSettings.LifecyclePolicy"/>
    [Pure]
    public static EcrPushSettings ResetLifecyclePolicy(this EcrPushSettings settings)
        => Checked(settings) with { LifecyclePolicy = null };

    /// <inheritdoc cref="EcrPushSettings.LifecyclePolicyFile"/>
    [Pure]
    public static EcrPushSettings SetLifecyclePolicyFile(this EcrPushSettings settings, string? lifecyclePolicyFile)
        => Checked(settings) with { LifecyclePolicyFile = lifecyclePolicyFile };

    /// <inheritdoc cref="EcrPushSettings.LifecyclePolicyFile"/>
    [Pure]
    public static EcrPushSettings ResetLifecyclePolicyFile(this EcrPushSettings settings)
        => Checked(settings) with { LifecyclePolicyFile = null };

    /// <inheritdoc cref="EcrPushSettings.RepositoryPolicy"/>
    [Pure]
    public static EcrPushSettings SetRepositoryPolicy(this EcrPushSettings settings, string? repositoryPolicy)
        => Checked(settings) with { RepositoryPolicy = repositoryPolicy };

    /// <inheritdoc cref="EcrPushSettings.RepositoryPolicy"/>
    [Pure]
    public static EcrPushSettings ResetRepositoryPolicy(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryPolicy = null };

    /// <inheritdoc cref="EcrPushSettings.RepositoryPolicyFile"/>
    [Pure]
    public static EcrPushSettings SetRepositoryPolicyFile(this EcrPushSettings settings, string? repositoryPolicyFile)
        => Checked(settings) with { RepositoryPolicyFile = repositoryPolicyFile };

    /// <inheritdoc cref="EcrPushSettings.RepositoryPolicyFile"/>
    [Pure]
    public static EcrPushSettings ResetRepositoryPolicyFile(this EcrPushSettings settings)
        => Checked(settings) with { RepositoryPolicyFile = null };

    /// <inheritdoc cref="EcrPushSettings.Logger"/>
    [Pure]
    public static EcrPushSettings SetLogger(this EcrPushSettings settings, Serilog.ILogger? logger)
        => Checked(settings) with { Logger = logger };

    /// <inheritdoc cref="EcrPushSettings.Logger"/>
    [Pure]
    public static EcrPushSettings ResetLogger(this EcrPushSettings settings)
        => Checked(settings) with { Logger = null };

    /// <inheritdoc cref="EcrPushSettings.Proxy"/>
    [Pure]
    public static EcrPushSettings SetProxy(this EcrPushSettings settings, string? proxy)
        => Checked(settings) with { Proxy = proxy };

    /// <inheritdoc cref="EcrPushSettings.Proxy"/>
    [Pure]
    public static EcrPushSettings ResetProxy(this EcrPushSettings settings)
        => Checked(settings) with { Proxy = null };

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
    /// pushes once per region, one after the other (EcrTasks' <c>degreeOfParallelism</c> runs more at once).
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

    private static EcrPushSettings Checked(EcrPushSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings;
    }

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

using System.Globalization;
using Amazon.Util;
using static Ecr.Internal.Values;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Finds the AWS region the way the CLI and SDKs do: the Region setting, AWS_REGION, AWS_DEFAULT_REGION, the
/// profile's <c>region</c> (AwsProfile, else AWS_PROFILE, else "default"), then EC2 instance metadata (unless
/// AWS_EC2_METADATA_DISABLED, and bounded to a couple of seconds).
/// </summary>
internal sealed class AwsRegionResolver
{
    public const string RegionVariable = "AWS_REGION";
    public const string DefaultRegionVariable = "AWS_DEFAULT_REGION";
    public const string MetadataDisabledVariable = "AWS_EC2_METADATA_DISABLED";

    public static readonly TimeSpan DefaultInstanceMetadataBudget = TimeSpan.FromSeconds(2);

    private readonly IEnvironment _environment;
    private readonly Func<CancellationToken, Task<string?>> _instanceMetadataRegion;

    /// <param name="environment">Where variables and the home directory are read.</param>
    /// <param name="instanceMetadataRegion">Asks EC2 instance metadata for the region (null: none); tests replace it.</param>
    /// <param name="instanceMetadataBudget">How long the default metadata lookup may take.</param>
    public AwsRegionResolver(IEnvironment environment, Func<CancellationToken, Task<string?>>? instanceMetadataRegion = null, TimeSpan? instanceMetadataBudget = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        var budget = instanceMetadataBudget ?? DefaultInstanceMetadataBudget;
        _instanceMetadataRegion = instanceMetadataRegion ?? (cancellationToken => AskInstanceMetadataAsync(budget, cancellationToken));
    }

    public async Task<(string Region, string Source)> ResolveAsync(AwsOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        if (NonEmpty(options.Region) is { } explicitRegion)
        {
            return Checked(explicitRegion, "the Region setting");
        }

        foreach (var name in new[] { RegionVariable, DefaultRegionVariable })
        {
            if (NonEmpty(_environment.GetVariable(name)) is { } value)
            {
                return Checked(value, $"the environment variable {name}");
            }
        }

        var profileName = AwsSharedFiles.ProfileName(options.Profile, _environment);
        var profileSource = $"the profile '{profileName}' in {AwsSharedFiles.Describe(_environment)}";
        var (found, profileRegion) = ProfileRegion(profileName);
        if (profileRegion is not null)
        {
            return Checked(profileRegion, profileSource);
        }

        // A profile named in the settings that does not exist is the real problem, not the missing region.
        if (!found && !string.IsNullOrWhiteSpace(options.Profile))
        {
            throw AwsSharedFiles.ProfileNotFound(profileName, _environment);
        }

        string metadataOutcome;
        if (EcrEndpoint.ReadFlag(_environment, MetadataDisabledVariable))
        {
            metadataOutcome = $"EC2 instance metadata (skipped: {MetadataDisabledVariable} is true)";
        }
        else
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (NonEmpty(await _instanceMetadataRegion(cancellationToken).ConfigureAwait(false)) is { } metadataRegion)
            {
                return Checked(metadataRegion, "EC2 instance metadata");
            }

            metadataOutcome = "EC2 instance metadata (no answer: not on EC2, or not reachable)";
        }

        throw new EcrPushException(
            $"No AWS region is set. Looked at, in order: the Region setting; the environment variables {RegionVariable} and {DefaultRegionVariable}; the region of {profileSource}; {metadataOutcome}. " +
            $"Set the region with SetRegion(\"us-east-1\") (or the region you push to), the environment variable {RegionVariable}, or 'region = ...' in the profile.");
    }

    /// <summary>Whether a name has the shape of an AWS region: us-east-1, cn-north-1, us-gov-west-1, eusc-de-east-1.</summary>
    public static bool IsValidRegion(string region) => Names.Region().IsMatch(region);

    private static (string Region, string Source) Checked(string region, string source)
    {
        region = region.Trim();
        if (!IsValidRegion(region))
        {
            throw new EcrPushException($"The AWS region '{region}' (from {source}) is not a region name. A region is lowercase letters, digits and hyphens, like us-east-1, eu-west-3, cn-north-1 or us-gov-west-1; for FIPS use the UseFipsEndpoint setting, not a \"fips\" region.");
        }

        return (region, source);
    }

    private (bool Found, string? Region) ProfileRegion(string profileName)
    {
        try
        {
            var profile = AwsSharedFiles.FindProfile(profileName, _environment, out _);
            return (profile is not null, profile?.Region?.SystemName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new EcrPushException(string.Create(CultureInfo.InvariantCulture, $"The AWS profile files ({AwsSharedFiles.Describe(_environment)}) could not be read: {exception.Message}"), exception);
        }
    }

    private static async Task<string?> AskInstanceMetadataAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var (completed, region) = await BoundedCall.RunAsync(static () => EC2InstanceMetadata.Region?.SystemName, budget, cancellationToken).ConfigureAwait(false);
        return completed ? region : null;
    }
}

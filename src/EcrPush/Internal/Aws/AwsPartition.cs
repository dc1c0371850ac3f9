using System.Text.RegularExpressions;

namespace Ecr.Internal.Aws;

/// <summary>
/// The AWS partitions as the endpoint rules' <c>aws.partition</c> function sees them: a region belongs to the
/// partition that lists it, else to the one whose pattern it matches, else to <c>aws</c>. The values are those
/// of the SDK's partition data (the suffixes are what ECR's endpoint rule set interpolates).
/// </summary>
internal sealed partial record AwsPartition(string Name, string DnsSuffix, string DualStackDnsSuffix, Regex RegionPattern)
{
    public static AwsPartition Aws { get; } = new("aws", "amazonaws.com", "api.aws", AwsRegions());

    /// <summary>Every partition ECR's endpoint rule set names, <c>aws</c> first.</summary>
    public static IReadOnlyList<AwsPartition> All { get; } =
    [
        Aws,
        new("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", ChinaRegions()),
        new("aws-us-gov", "amazonaws.com", "api.aws", GovCloudRegions()),
        new("aws-iso", "c2s.ic.gov", "api.aws.ic.gov", IsoRegions()),
        new("aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", IsoBRegions()),
        new("aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", IsoERegions()),
        new("aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", IsoFRegions()),
        new("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", EuscRegions()),
    ];

    /// <summary>The partition of a region; an unknown region falls in <c>aws</c>, as the rules' function does.</summary>
    public static AwsPartition ForRegion(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        foreach (var partition in All)
        {
            // Each partition also lists a pseudo-region "<name>-global".
            if (string.Equals(region, partition.Name + "-global", StringComparison.Ordinal) || partition.RegionPattern.IsMatch(region))
            {
                return partition;
            }
        }

        return Aws;
    }

    [GeneratedRegex(@"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsRegions();

    [GeneratedRegex(@"^cn\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex ChinaRegions();

    [GeneratedRegex(@"^us\-gov\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex GovCloudRegions();

    [GeneratedRegex(@"^us\-iso\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoRegions();

    [GeneratedRegex(@"^us\-isob\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoBRegions();

    [GeneratedRegex(@"^eu\-isoe\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoERegions();

    [GeneratedRegex(@"^us\-isof\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoFRegions();

    [GeneratedRegex(@"^eusc\-(de)\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex EuscRegions();
}

using System.Text.RegularExpressions;

namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// A registry's dual-stack (IPv4 and IPv6) host name, derived from the host the token's proxyEndpoint names by the rule AWS
/// documents ("Making requests to Amazon ECR registries" and "… ECR Public registries", the ECR endpoints table): never
/// assembled from the region or account by hand, and in this one place.
/// <list type="bullet">
/// <item><description><c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com</c> → <c>&lt;account&gt;.dkr-ecr.&lt;region&gt;.on.aws</c>;</description></item>
/// <item><description><c>&lt;account&gt;.dkr.ecr-fips.&lt;region&gt;.amazonaws.com</c> → <c>&lt;account&gt;.dkr-ecr-fips.&lt;region&gt;.on.aws</c> (FIPS with dual-stack);</description></item>
/// <item><description><c>public.ecr.aws</c> (ECR Public) → <c>ecr-public.aws.com</c>.</description></item>
/// </list>
/// Any other host (another partition's, a private endpoint's) has no documented dual-stack name: an error, not a guess.
/// </summary>
internal static partial class DualStackRegistry
{
    public const string PublicHost = "public.ecr.aws";
    public const string PublicDualStackHost = "ecr-public.aws.com";

    /// <summary>The dual-stack name of <paramref name="registryHost"/> (host[:port]); a port stays as it was.</summary>
    public static string HostOf(string registryHost)
    {
        ArgumentException.ThrowIfNullOrEmpty(registryHost);
        var colon = registryHost.LastIndexOf(':');
        var (host, port) = colon > 0 && !registryHost.EndsWith(']') ? (registryHost[..colon], registryHost[colon..]) : (registryHost, string.Empty);
        if (string.Equals(host, PublicHost, StringComparison.OrdinalIgnoreCase))
        {
            return PublicDualStackHost + port;
        }

        if (string.Equals(host, PublicDualStackHost, StringComparison.OrdinalIgnoreCase))
        {
            return registryHost;
        }

        var match = PrivateHost().Match(host);
        if (match.Success)
        {
            return $"{match.Groups["account"].Value}.dkr-ecr{match.Groups["fips"].Value}.{match.Groups["region"].Value}.on.aws{port}";
        }

        if (DualStackHost().IsMatch(host))
        {
            return registryHost;
        }

        throw new EcrPushException($"A dual-stack endpoint is asked for, but the registry {registryHost} has no dual-stack name AWS documents (<account>.dkr-ecr.<region>.on.aws is the one for <account>.dkr.ecr.<region>.amazonaws.com; ECR Public's is {PublicDualStackHost}). Turn dual-stack off for this push (SetUseDualStackEndpoint(false), or AWS_USE_DUALSTACK_ENDPOINT=false), or push to a registry that has one.");
    }

    [GeneratedRegex(@"\A(?<account>[0-9]{12})\.dkr\.ecr(?<fips>-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PrivateHost();

    [GeneratedRegex(@"\A[0-9]{12}\.dkr-ecr(?:-fips)?\.[a-z0-9-]+\.on\.aws\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DualStackHost();
}

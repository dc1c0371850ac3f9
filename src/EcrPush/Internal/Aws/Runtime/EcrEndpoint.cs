using Amazon.Runtime.Internal.Endpoints.StandardLibrary;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Where the ECR API calls go and the region they are signed for, with the place the choice came from.
/// <see cref="Resolve"/> follows ECR's endpoint rule set (endpoint-rule-set-1.json) and the SDKs' configured
/// endpoint variables.
/// </summary>
internal sealed record EcrEndpoint(Uri Url, string SigningRegion, string Source)
{
    public const string ServiceVariable = "AWS_ENDPOINT_URL_ECR";
    public const string GlobalVariable = "AWS_ENDPOINT_URL";
    public const string IgnoreConfiguredVariable = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
    public const string FipsVariable = "AWS_USE_FIPS_ENDPOINT";
    public const string DualStackVariable = "AWS_USE_DUALSTACK_ENDPOINT";

    /// <summary>
    /// The explicit endpoint, else <c>AWS_ENDPOINT_URL_ECR</c>, else <c>AWS_ENDPOINT_URL</c> (both skipped when
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true), else the region's partition endpoint, FIPS and
    /// dual-stack as asked by the settings or <c>AWS_USE_FIPS_ENDPOINT</c> / <c>AWS_USE_DUALSTACK_ENDPOINT</c>.
    /// </summary>
    public static EcrEndpoint Resolve(AwsOptions options, string region, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(environment);

        var useFips = options.UseFipsEndpoint ?? ReadFlag(environment, FipsVariable);
        var useDualStack = options.UseDualStackEndpoint ?? ReadFlag(environment, DualStackVariable);

        var (custom, source) = FindCustomEndpoint(options, environment);
        if (custom is not null)
        {
            // The rule set refuses both variants with a custom endpoint rather than guessing a host name.
            if (useFips)
            {
                throw new EcrPushException($"The ECR endpoint {custom} comes from {source}, but a FIPS endpoint is also asked for ({Origin(options.UseFipsEndpoint, "UseFipsEndpoint", FipsVariable)}). ECR's endpoint rules do not combine the two: remove one of them.");
            }

            if (useDualStack)
            {
                throw new EcrPushException($"The ECR endpoint {custom} comes from {source}, but a dual-stack endpoint is also asked for ({Origin(options.UseDualStackEndpoint, "UseDualStackEndpoint", DualStackVariable)}). ECR's endpoint rules do not combine the two: remove one of them.");
            }

            return new EcrEndpoint(custom, region, source!);
        }

        // The rule set's aws.partition function, from the partition data AWSSDK.Core bundles: a region belongs to the
        // partition that lists it, else to the one whose pattern it matches, else to aws.
        var partition = Fn.Partition(region);
        var host = (useFips, useDualStack) switch
        {
            (false, false) => $"api.ecr.{region}.{partition.dnsSuffix}",
            (false, true) => $"ecr.{region}.{partition.dualStackDnsSuffix}",
            (true, false) => $"api.ecr-fips.{region}.{partition.dnsSuffix}",
            (true, true) => $"ecr-fips.{region}.{partition.dualStackDnsSuffix}",
        };

        var variant = (useFips, useDualStack) switch
        {
            (false, false) => string.Empty,
            (false, true) => ", dual-stack",
            (true, false) => ", FIPS",
            (true, true) => ", FIPS and dual-stack",
        };

        return new EcrEndpoint(new Uri($"https://{host}", UriKind.Absolute), region, $"the {partition.name} partition's endpoint for {region}{variant}");
    }

    private static (Uri? Url, string? Source) FindCustomEndpoint(AwsOptions options, IEnvironment environment)
    {
        if (options.EndpointUrl is { } explicitUrl)
        {
            return (explicitUrl, "the EcrEndpointUrl setting");
        }

        return FindConfigured(environment, ServiceVariable, "the ECR API endpoint (e.g. https://api.ecr.us-east-1.amazonaws.com or http://localhost:5000)") is { } configured
            ? (configured.Url, $"the environment variable {configured.Variable}")
            : (null, null);
    }

    /// <summary>
    /// A service's configured endpoint, as the SDKs read it: its own variable (<c>AWS_ENDPOINT_URL_ECR</c>,
    /// <c>AWS_ENDPOINT_URL_STS</c>), else <c>AWS_ENDPOINT_URL</c>; neither when <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true.
    /// </summary>
    internal static (Uri Url, string Variable)? FindConfigured(IEnvironment environment, string serviceVariable, string what)
    {
        if (ReadFlag(environment, IgnoreConfiguredVariable))
        {
            return null;
        }

        foreach (var name in new[] { serviceVariable, GlobalVariable })
        {
            var value = environment.GetVariable(name)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            return Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
                ? (url, name)
                : throw new EcrPushException($"The environment variable {name} is '{value}', which is not an http(s) URL. Set it to {what}, or remove it.");
        }

        return null;
    }

    /// <summary>Reads an AWS boolean variable: true or false, any case; unset is false.</summary>
    internal static bool ReadFlag(IEnvironment environment, string name)
    {
        var value = environment.GetVariable(name)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        throw new EcrPushException($"The environment variable {name} is '{value}'; it must be true or false.");
    }

    private static string Origin(bool? setting, string settingName, string variable)
        => setting is null ? $"the environment variable {variable}" : $"the {settingName} setting";
}

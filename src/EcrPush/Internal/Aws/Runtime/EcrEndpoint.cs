using Amazon.Runtime.Internal.Endpoints.StandardLibrary;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Where the ECR API calls go and the region they are signed for, with the place the choice came from.
/// <see cref="Resolve"/> follows ECR's endpoint rule set (endpoint-rule-set-1.json) and the SDKs' configured
/// endpoint variables.
/// </summary>
internal sealed record EcrEndpoint(Uri Url, string SigningRegion, string Source)
{
    /// <summary>Whether the push goes over IPv4 and IPv6: the API's dual-stack endpoint, and the registry's dual-stack host (<see cref="DualStackRegistry"/>).</summary>
    public bool DualStack { get; init; }

    public const string PublicServiceVariable = "AWS_ENDPOINT_URL_ECR_PUBLIC";

    /// <summary>ECR Public's API and its authorization token are served in us-east-1 (GetAuthorizationToken nowhere else).</summary>
    public const string PublicRegion = "us-east-1";

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
        var (useDualStack, dualStackOrigin) = UseDualStack(options, environment);

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
                throw new EcrPushException($"The ECR endpoint {custom} comes from {source}, but a dual-stack endpoint is also asked for ({dualStackOrigin}). ECR's endpoint rules do not combine the two: remove one of them.");
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

        return new EcrEndpoint(new Uri($"https://{host}", UriKind.Absolute), region, $"the {partition.name} partition's endpoint for {region}{variant}") { DualStack = useDualStack };
    }

    /// <summary>
    /// ECR Public's API endpoint, always in us-east-1: <c>AWS_ENDPOINT_URL_ECR_PUBLIC</c>, else <c>AWS_ENDPOINT_URL</c>
    /// (both skipped when <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true), else <c>api.ecr-public.us-east-1.amazonaws.com</c>,
    /// or with dual-stack <c>ecr-public.us-east-1.api.aws</c>, the name AWS documents for ECR Public over IPv6 ("Making
    /// requests to Amazon ECR Public registries"; the ecr-public rule set's api.ecr-public.us-east-1.api.aws is not in that
    /// list). The EcrEndpointUrl setting is the private API's and does not apply. ECR Public has no FIPS endpoint.
    /// </summary>
    public static EcrEndpoint ResolvePublic(AwsOptions options, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);

        if (options.UseFipsEndpoint ?? ReadFlag(environment, FipsVariable))
        {
            throw new EcrPushException($"A FIPS endpoint is asked for ({Origin(options.UseFipsEndpoint, "UseFipsEndpoint", FipsVariable)}), but the destination is ECR Public, which has no FIPS endpoint. Push to ECR Public without FIPS (UseFipsEndpoint off for that push), or push to a private registry.");
        }

        var (useDualStack, dualStackOrigin) = UseDualStack(options, environment);
        if (FindConfigured(environment, PublicServiceVariable, "the ECR Public API endpoint (e.g. https://api.ecr-public.us-east-1.amazonaws.com)") is { } configured)
        {
            return useDualStack
                ? throw new EcrPushException($"The ECR Public endpoint {configured.Url} comes from the environment variable {configured.Variable}, but a dual-stack endpoint is also asked for ({dualStackOrigin}). ECR Public's endpoint rules do not combine the two: remove one of them.")
                : new EcrEndpoint(configured.Url, PublicRegion, $"the environment variable {configured.Variable}");
        }

        return useDualStack
            ? new EcrEndpoint(new Uri($"https://ecr-public.{PublicRegion}.api.aws"), PublicRegion, $"ECR Public's dual-stack endpoint ({dualStackOrigin}); ECR Public is served in {PublicRegion}") { DualStack = true }
            : new EcrEndpoint(new Uri($"https://api.ecr-public.{PublicRegion}.amazonaws.com"), PublicRegion, $"ECR Public's endpoint; ECR Public is served in {PublicRegion}");
    }

    /// <summary>
    /// Dual-stack as the SDKs choose it: the UseDualStackEndpoint setting, else <c>AWS_USE_DUALSTACK_ENDPOINT</c>, else the
    /// profile's <c>use_dualstack_endpoint</c> (AwsProfile, else AWS_PROFILE, else default); with where the choice came from.
    /// </summary>
    internal static (bool UseDualStack, string Origin) UseDualStack(AwsOptions options, IEnvironment environment)
    {
        if (options.UseDualStackEndpoint is { } setting)
        {
            return (setting, "the UseDualStackEndpoint setting");
        }

        if (!string.IsNullOrWhiteSpace(environment.GetVariable(DualStackVariable)))
        {
            return (ReadFlag(environment, DualStackVariable), $"the environment variable {DualStackVariable}");
        }

        var name = AwsSharedFiles.ProfileName(options.Profile, environment);
        try
        {
            return AwsSharedFiles.FindProfile(name, environment, out _)?.UseDualstackEndpoint is { } fromProfile
                ? (fromProfile, $"use_dualstack_endpoint of the profile '{name}'")
                : (false, "the default");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            // The credential and region chains report unreadable profile files with their own words.
            return (false, "the default");
        }
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

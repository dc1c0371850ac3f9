using Amazon.Runtime;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>The AWS part of the settings, already checked: what the credential, region and endpoint chains start from.</summary>
internal sealed record AwsOptions
{
    public string? Region { get; init; }

    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    public string? SessionToken { get; init; }

    public string? Profile { get; init; }

    public string? RoleArn { get; init; }

    public string? ExternalId { get; init; }

    public string? RoleSessionName { get; init; }

    public AWSCredentials? Credentials { get; init; }

    /// <summary>An explicit ECR API endpoint; otherwise AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL, then the partition's.</summary>
    public Uri? EndpointUrl { get; init; }

    public bool? UseFipsEndpoint { get; init; }

    public bool? UseDualStackEndpoint { get; init; }

    /// <summary>An explicit proxy for the AWS calls; otherwise HTTPS_PROXY / HTTP_PROXY / NO_PROXY.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>
    /// What a record prints, without the secrets: the secret key and session token are shown only as set or not, a
    /// proxy without its user and password. <see cref="PushPlan"/>, which holds these options, prints them this way too.
    /// </summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Region = {Region}, AccessKeyId = {AccessKeyId}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"SecretAccessKey = {(SecretAccessKey is null ? null : "(hidden)")}, SessionToken = {(SessionToken is null ? null : "(hidden)")}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Profile = {Profile}, RoleArn = {RoleArn}, ExternalId = {(ExternalId is null ? null : "(hidden)")}, RoleSessionName = {RoleSessionName}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Credentials = {Credentials?.GetType().Name}, EndpointUrl = {EndpointUrl}, UseFipsEndpoint = {UseFipsEndpoint}, UseDualStackEndpoint = {UseDualStackEndpoint}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Proxy = {(Proxy is null ? null : EcrHttpClientFactory.Describe(Proxy))}");
        return true;
    }
}

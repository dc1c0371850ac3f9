using System.Globalization;
using System.Text;
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
    /// What a record prints: each member as <see cref="EcrPushSettings"/> prints the setting it comes from
    /// (<see cref="SecretSettings"/>: the secrets as ***, the proxy without its user and password).
    /// <see cref="PushPlan"/>, which holds these options, prints them this way too.
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Region = {Region}, AccessKeyId = {SecretSettings.Shown(nameof(EcrPushSettings.AwsAccessKeyId), AccessKeyId)}, ");
        builder.Append(CultureInfo.InvariantCulture, $"SecretAccessKey = {SecretSettings.Shown(nameof(EcrPushSettings.AwsSecretAccessKey), SecretAccessKey)}, SessionToken = {SecretSettings.Shown(nameof(EcrPushSettings.AwsSessionToken), SessionToken)}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Profile = {SecretSettings.Shown(nameof(EcrPushSettings.AwsProfile), Profile)}, RoleArn = {SecretSettings.Shown(nameof(EcrPushSettings.AwsRoleArn), RoleArn)}, ");
        builder.Append(CultureInfo.InvariantCulture, $"ExternalId = {SecretSettings.Shown(nameof(EcrPushSettings.AwsExternalId), ExternalId)}, RoleSessionName = {SecretSettings.Shown(nameof(EcrPushSettings.AwsRoleSessionName), RoleSessionName)}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Credentials = {Credentials?.GetType().Name}, EndpointUrl = {EndpointUrl}, UseFipsEndpoint = {UseFipsEndpoint}, UseDualStackEndpoint = {UseDualStackEndpoint}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Proxy = {SecretSettings.ShownProxy(Proxy?.OriginalString)}");
        return true;
    }
}

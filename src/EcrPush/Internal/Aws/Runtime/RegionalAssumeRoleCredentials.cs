using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.SharedInterfaces;
using Amazon.SecurityToken;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// AssumeRoleAWSCredentials whose STS calls go to the push's region (or an explicit STS endpoint). The base
/// class picks its STS region from the SDK's own fallback (environment, profile, instance metadata) or
/// us-east-1, which is wrong for China and GovCloud and can wait on instance metadata.
/// </summary>
internal sealed class RegionalAssumeRoleCredentials : AssumeRoleAWSCredentials
{
    private readonly string _region;
    private readonly Uri? _stsEndpoint;

    public RegionalAssumeRoleCredentials(
        AWSCredentials sourceCredentials,
        string roleArn,
        string roleSessionName,
        AssumeRoleAWSCredentialsOptions options,
        string region,
        Uri? stsEndpoint)
        : base(sourceCredentials, roleArn, roleSessionName, options)
    {
        _region = region;
        _stsEndpoint = stsEndpoint;
    }

    protected override CredentialsRefreshState GenerateNewCredentials()
    {
        using var client = CreateClient();
        var credentials = ((ICoreAmazonSTS)client).CredentialsFromAssumeRoleAuthentication(RoleArn, RoleSessionName, Options);
        return new CredentialsRefreshState(credentials, credentials.Expiration);
    }

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        using var client = CreateClient();
        var credentials = await ((ICoreAmazonSTS)client).CredentialsFromAssumeRoleAuthenticationAsync(RoleArn, RoleSessionName, Options).ConfigureAwait(false);
        return new CredentialsRefreshState(credentials, credentials.Expiration);
    }

    // FIPS and dual-stack for STS follow AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT, read by the SDK itself:
    // the ECR settings are not carried over, since STS has FIPS endpoints in fewer regions than ECR.
    private AmazonSecurityTokenServiceClient CreateClient()
    {
        // The SDK's default of 100 s per attempt is long for a build step waiting on STS.
        var config = new AmazonSecurityTokenServiceConfig { Timeout = TimeSpan.FromSeconds(30) };
        if (_stsEndpoint is not null)
        {
            config.ServiceURL = _stsEndpoint.ToString();
            config.AuthenticationRegion = _region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(_region);
        }

        // The same proxy rules as the ECR calls (EcrHttpClientFactory.CreateProxy), not the SDK's own reading of the variables.
        if (Options.ProxySettings is { } proxy)
        {
            config.SetWebProxy(proxy);
        }

        return new AmazonSecurityTokenServiceClient(SourceCredentials, config);
    }
}

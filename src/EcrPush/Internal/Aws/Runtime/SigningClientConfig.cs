using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;

using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The smallest ClientConfig AWS4Signer accepts: it reads only the signing region and service name from it.
/// Built without a service package (AWSSDK.ECR is not used), so the endpoint is never resolved through it.
/// </summary>
internal sealed class SigningClientConfig : ClientConfig
{
    public SigningClientConfig(string region, string serviceName)
        : base(new FixedDefaults())
    {
        AuthenticationRegion = region;
        AuthenticationServiceName = serviceName;
    }

    public override string ServiceVersion => "2015-09-21";

    public override string UserAgent => EcrUserAgent.Value;

    public override string RegionEndpointServiceName => "api.ecr";

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
        => throw new NotSupportedException("The ECR endpoint is resolved by EcrEndpoint, not by the SDK.");

    /// <summary>Standard defaults without the SDK's environment probing (the "auto" mode would look at IMDS).</summary>
    private sealed class FixedDefaults : IDefaultConfigurationProvider
    {
        public IDefaultConfiguration GetDefaultConfiguration(RegionEndpoint clientRegion, DefaultConfigurationMode? requestedConfigurationMode = null)
            => new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard };
    }
}

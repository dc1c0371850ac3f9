namespace EcrPush.Internal.Aws;

/// <summary>The real connector: the credential, region and endpoint chains, and a signed ECR client.</summary>
internal sealed class EcrConnector(IEnvironment environment, IPushLog log) : IEcrConnector
{
    public Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken)
        => throw new NotImplementedException($"{environment}{log}");
}

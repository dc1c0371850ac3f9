using System.Collections.Concurrent;

using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>The real connector: the region, endpoint and credential chains, and a signed ECR client.</summary>
internal sealed class EcrConnector(IEnvironment environment, IPushLog log) : IEcrConnector
{
    // One HTTP stack per proxy for the life of the process: later pushes reuse its pooled connections to the
    // endpoint (no new TCP and TLS handshake). The clients themselves are per push, since each logs to the sink
    // of its own caller; they borrow the stack and never close it.
    private static readonly ConcurrentDictionary<string, HttpClient> HttpClients = new(StringComparer.Ordinal);

    public async Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        var (region, regionSource) = await new AwsRegionResolver(environment).ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        var endpoint = EcrEndpoint.Resolve(options, region, environment);
        var (credentials, credentialSource, identity) = await new AwsCredentialResolver(environment, log).ResolveAsync(options, region, cancellationToken).ConfigureAwait(false);

        // Fetching the keys now reports a broken source (expired SSO session, refused AssumeRole) before any ECR call.
        // A role session kept from an earlier connection answers from its keys, without asking STS again.
        _ = await AwsCredentialResolver.FetchKeysAsync(credentials, credentialSource, cancellationToken).ConfigureAwait(false);

        var http = HttpClients.GetOrAdd(options.Proxy?.ToString() ?? string.Empty, _ => EcrHttpClientFactory.Create(options.Proxy, environment));
        var client = new EcrClient(new EcrApiTransport(http, endpoint, credentials, credentialSource, log, StandardRetryPolicy.ForEndpoint(endpoint.Url), time: environment.Time));
        log.Verbose($"ECR API endpoint {endpoint.Url} from {endpoint.Source}, signed for {endpoint.SigningRegion}");
        log.Verbose(options.Proxy is { } proxy
            ? $"ECR API calls go through the proxy {EcrHttpClientFactory.Describe(proxy)} (the Proxy setting)"
            : $"ECR API calls go {EcrHttpClientFactory.DescribeEnvironmentProxy(endpoint.Url, environment)}");

        // Endpoint, signing region and identity (a keyed hash, or a number: never credential material). The identity
        // is that of the credentials' configuration, not of their current keys, so a role session that renews its
        // keys keeps its tokens.
        return new EcrConnection(client, region, regionSource, credentialSource, endpoint.Url, $"{endpoint.Url}|{endpoint.SigningRegion}|{identity}");
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

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
        var (credentials, credentialSource) = await new AwsCredentialResolver(environment, log).ResolveAsync(options, region, cancellationToken).ConfigureAwait(false);

        // Fetching the keys now reports a broken source (expired SSO session, refused AssumeRole) before any ECR
        // call, and gives the identity part of the cache key.
        var keys = await AwsCredentialResolver.FetchKeysAsync(credentials, credentialSource, cancellationToken).ConfigureAwait(false);

        var cacheKey = CacheKey(endpoint, keys, options);
        var http = HttpClients.GetOrAdd(options.Proxy?.ToString() ?? string.Empty, _ => EcrHttpClientFactory.Create(options.Proxy, environment));
        var client = new EcrClient(new EcrApiTransport(http, endpoint, credentials, credentialSource, log, StandardRetryPolicy.ForEndpoint(endpoint.Url)));
        log.Verbose($"ECR API endpoint {endpoint.Url} from {endpoint.Source}, signed for {endpoint.SigningRegion}");
        log.Verbose(options.Proxy is { } proxy
            ? $"ECR API calls go through the proxy {EcrHttpClientFactory.Describe(proxy)} (the Proxy setting)"
            : $"ECR API calls go {EcrHttpClientFactory.DescribeEnvironmentProxy(endpoint.Url, environment)}");

        return new EcrConnection(client, region, regionSource, credentialSource, endpoint.Url, cacheKey);
    }

    /// <summary>
    /// Endpoint, signing region and identity: the access key ID (not secret, but hashed all the same so that the
    /// key never holds credential material) and the assumed role, if any.
    /// </summary>
    private static string CacheKey(EcrEndpoint endpoint, ImmutableCredentials keys, AwsOptions options)
    {
        var identity = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(keys.AccessKey ?? string.Empty)))[..16];
        return $"{endpoint.Url}|{endpoint.SigningRegion}|{identity}|{options.RoleArn}";
    }
}

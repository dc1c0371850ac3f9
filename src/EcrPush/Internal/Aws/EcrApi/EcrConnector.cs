using System.Collections.Concurrent;

using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>The real connector: the region, endpoint and credential chains, and a signed ECR (or ECR Public) client.</summary>
internal sealed class EcrConnector(IEnvironment environment, IPushLog log) : IEcrConnector
{
    // One HTTP stack per proxy for the life of the process: later pushes reuse its pooled connections to the
    // endpoint (no new TCP and TLS handshake). The clients themselves are per push, since each logs to the sink
    // of its own caller; they borrow the stack and never close it.
    private static readonly ConcurrentDictionary<string, HttpClient> HttpClients = new(StringComparer.Ordinal);

    private HttpClient? _ownHttp;

    /// <summary>
    /// Changes the API's HTTP handler before use. Only the integration tests set it, to send the AWS endpoints' names (the
    /// dual-stack ones among them) to the stand-in over TLS with its authority; such a connector keeps a stack of its own.
    /// </summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; init; }

    public async Task<EcrConnection> ConnectAsync(AwsOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        var (region, regionSource) = await new AwsRegionResolver(environment).ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        var endpoint = EcrEndpoint.Resolve(options, region, environment);
        return await ConnectAsync(options, region, regionSource, endpoint, EcrApiService.Private, http => new EcrClient(http), cancellationToken).ConfigureAwait(false);
    }

    public Task<EcrConnection> ConnectPublicAsync(AwsOptions options, string? registryAlias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);

        // ECR Public has one region; the options' region (the private destinations', the source's) does not apply.
        var endpoint = EcrEndpoint.ResolvePublic(options, environment);
        return ConnectAsync(options with { Region = EcrEndpoint.PublicRegion }, EcrEndpoint.PublicRegion, "ECR Public, which is served there", endpoint, EcrApiService.Public, transport => new EcrPublicClient(transport, registryAlias, log), cancellationToken);
    }

    private async Task<EcrConnection> ConnectAsync(AwsOptions options, string region, string regionSource, EcrEndpoint endpoint, EcrApiService api, Func<EcrApiTransport, IEcrClient> client, CancellationToken cancellationToken)
    {
        var (credentials, credentialSource, identity) = await new AwsCredentialResolver(environment, log).ResolveAsync(options, region, cancellationToken).ConfigureAwait(false);

        // Fetching the keys now reports a broken source (expired SSO session, refused AssumeRole) before any ECR call.
        // A role session kept from an earlier connection answers from its keys, without asking STS again.
        _ = await AwsCredentialResolver.FetchKeysAsync(credentials, credentialSource, cancellationToken).ConfigureAwait(false);

        var http = HttpFor(options.Proxy);
        var transport = new EcrApiTransport(http, endpoint, credentials, credentialSource, log, StandardRetryPolicy.ForEndpoint(endpoint.Url), time: environment.Time, service: api);
        log.Verbose($"{api.Name} API endpoint {endpoint.Url} from {endpoint.Source}, signed for {endpoint.SigningRegion}");
        log.Verbose(options.Proxy is { } proxy
            ? $"{api.Name} API calls go through the proxy {EcrHttpClientFactory.Describe(proxy)} (the Proxy setting)"
            : $"{api.Name} API calls go {EcrHttpClientFactory.DescribeEnvironmentProxy(endpoint.Url, environment)}");

        // Endpoint, signing region and identity (a keyed hash, or a number: never credential material). The identity
        // is that of the credentials' configuration, not of their current keys, so a role session that renews its
        // keys keeps its tokens. ECR Public's tokens are another registry's, also where one endpoint serves both APIs.
        var apiPrefix = api == EcrApiService.Private ? string.Empty : $"{api.SigningName}|";
        return new EcrConnection(client(transport), region, regionSource, credentialSource, endpoint.Url, $"{apiPrefix}{endpoint.Url}|{endpoint.SigningRegion}|{identity}")
        {
            DualStack = endpoint.DualStack,
        };
    }

    private HttpClient HttpFor(Uri? proxy)
    {
        if (ConfigureHandler is not { } configure)
        {
            return HttpClients.GetOrAdd(proxy?.ToString() ?? string.Empty, _ => EcrHttpClientFactory.Create(proxy, environment));
        }

        if (_ownHttp is null)
        {
#pragma warning disable CA2000 // The HttpClient owns the handler; the connector, made for one push of a test, owns the client.
            var handler = EcrHttpClientFactory.CreateHandler(proxy, environment);
#pragma warning restore CA2000
            configure(handler);
            var created = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            if (Interlocked.CompareExchange(ref _ownHttp, created, null) is not null)
            {
                created.Dispose();
            }
        }

        return _ownHttp;
    }
}

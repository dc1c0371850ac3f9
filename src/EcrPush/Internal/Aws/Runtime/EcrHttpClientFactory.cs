using System.Net;

using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The HTTP stack of the ECR API calls, one per proxy for the process's life (EcrConnector keeps them). Without an
/// explicit proxy, <see cref="EnvironmentProxy"/> reads HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY at each
/// request (and, when none is set, defers to HttpClient.DefaultProxy: the system settings on Windows).
/// </summary>
internal static class EcrHttpClientFactory
{
    // Recycle pooled connections so that a long build follows DNS changes of the endpoint.
    private static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static HttpClient Create(Uri? proxy, IEnvironment? environment = null)
    {
#pragma warning disable CA2000 // The HttpClient owns and disposes the handler.
        var handler = CreateHandler(proxy, environment);
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true)
        {
            // Each attempt has its own timeout (EcrApiTransport); the client-wide one would cut across retries.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 4 * 1024 * 1024,
        };
    }

    public static SocketsHttpHandler CreateHandler(Uri? proxy, IEnvironment? environment = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = ConnectionLifetime,
            ConnectTimeout = ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.All,
            UseProxy = true,
            AllowAutoRedirect = false,

            // HttpClient.DefaultProxy reads the variables once per process, so a build that sets them later is not
            // heard, and it ignores NO_PROXY=* and subdomains of a bare NO_PROXY name, unlike curl, Go (dockerd)
            // and the AWS CLI. The handler is shared for the process's life, so the variables are read per request.
            Proxy = CreateProxy(proxy, environment ?? ProcessEnvironment.Instance),
        };

        return handler;
    }

    /// <summary>
    /// The proxy of every AWS call the push makes itself (ECR, and STS for a role): the Proxy setting, else the
    /// proxy variables read at each request, so that one push follows one set of rules.
    /// </summary>
    public static IWebProxy CreateProxy(Uri? proxy, IEnvironment environment)
    {
        if (proxy is null)
        {
            return new EnvironmentProxy(environment);
        }

        // A proxy URL may carry user:password; WebProxy wants them as credentials, not in the address.
        return new WebProxy(ProxyUserInfo.Without(proxy)) { Credentials = ProxyUserInfo.Credential(proxy) };
    }

    /// <summary>A proxy URL fit for a message: without user and password.</summary>
    public static string Describe(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return ProxyUserInfo.Without(proxy).ToString();
    }

    /// <summary>For the log: where a call to <paramref name="endpoint"/> goes, by the proxy variables.</summary>
    public static string DescribeEnvironmentProxy(Uri endpoint, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var choice = EnvironmentProxy.Choose(endpoint, environment);
        return choice switch
        {
            null => "directly (no proxy variable is set)",
            { Proxy: null } => $"not through a proxy: {choice.Reason}",
            _ => $"through the proxy {Describe(choice.Proxy)} (from {choice.Reason})",
        };
    }
}

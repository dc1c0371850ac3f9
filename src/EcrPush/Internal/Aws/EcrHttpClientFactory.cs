using System.Net;

namespace EcrPush.Internal.Aws;

/// <summary>
/// The HTTP stack of one ECR client. Without an explicit proxy, SocketsHttpHandler uses HttpClient.DefaultProxy,
/// which reads HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY on Linux and macOS and the system settings on
/// Windows. Certificates are always checked.
/// </summary>
internal static class EcrHttpClientFactory
{
    // Recycle pooled connections so that a long build follows DNS changes of the endpoint.
    private static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static HttpClient Create(Uri? proxy)
    {
#pragma warning disable CA2000 // The HttpClient owns and disposes the handler.
        var handler = CreateHandler(proxy);
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true)
        {
            // Each attempt has its own timeout (EcrApiTransport); the client-wide one would cut across retries.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 4 * 1024 * 1024,
        };
    }

    public static SocketsHttpHandler CreateHandler(Uri? proxy)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = ConnectionLifetime,
            ConnectTimeout = ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.All,
            UseProxy = true,
            AllowAutoRedirect = false,
        };

        if (proxy is not null)
        {
            handler.Proxy = CreateProxy(proxy);
        }

        return handler;
    }

    /// <summary>A proxy URL may carry user:password; WebProxy wants them as credentials, not in the address.</summary>
    public static WebProxy CreateProxy(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var address = new UriBuilder(proxy) { UserName = string.Empty, Password = string.Empty }.Uri;
        var webProxy = new WebProxy(address);
        if (!string.IsNullOrEmpty(proxy.UserInfo))
        {
            var parts = proxy.UserInfo.Split(':', 2);
            webProxy.Credentials = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }

        return webProxy;
    }

    /// <summary>A proxy URL fit for a message: without user and password.</summary>
    public static string Describe(Uri proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        return new UriBuilder(proxy) { UserName = string.Empty, Password = string.Empty }.Uri.ToString();
    }
}

using System.Net;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>The <c>user:password@</c> of a proxy URL: credentials for the proxy, never part of its address or a message.</summary>
internal static class ProxyUserInfo
{
    public static Uri Without(Uri proxy)
        => string.IsNullOrEmpty(proxy.UserInfo) ? proxy : new UriBuilder(proxy) { UserName = string.Empty, Password = string.Empty }.Uri;

    public static NetworkCredential? Credential(Uri proxy)
    {
        if (string.IsNullOrEmpty(proxy.UserInfo))
        {
            return null;
        }

        var parts = proxy.UserInfo.Split(':', 2);
        return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The proxy variables as curl, Go (and so dockerd) and the AWS CLI read them, at every request: <c>https_proxy</c>
/// or <c>HTTPS_PROXY</c> for https endpoints, <c>http_proxy</c> or <c>HTTP_PROXY</c> (the latter not under CGI)
/// for http ones, else <c>all_proxy</c> / <c>ALL_PROXY</c>; lower case first. <c>NO_PROXY</c> entries are
/// comma-separated: <c>*</c> for all; a name (<c>example.com</c>, <c>.example.com</c> or <c>*.example.com</c>)
/// matches it and its subdomains; an IP address or CIDR block (<c>10.0.0.0/8</c>) matches addresses; any entry may
/// end in <c>:port</c>. Loopback is proxied like anything else unless listed. When no proxy variable is set at
/// all, <see cref="HttpClient.DefaultProxy"/> decides, which is the system setting on Windows.
/// </summary>
internal sealed class EnvironmentProxy(IEnvironment environment) : IWebProxy
{
    private static readonly string[] Variables =
        ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];

    /// <summary>The user and password of whichever proxy a request goes to, from that proxy variable's URL.</summary>
    public ICredentials? Credentials
    {
        get => new ProxyCredentials(environment);
        set => throw new NotSupportedException("The proxy credentials come from the proxy URL in the environment variable.");
    }

    public Uri? GetProxy(Uri destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Choose(destination, environment) is { } choice ? choice.Proxy is { } proxy ? ProxyUserInfo.Without(proxy) : null : HttpClient.DefaultProxy.GetProxy(destination);
    }

    public bool IsBypassed(Uri host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Choose(host, environment) is { } choice ? choice.Proxy is null : HttpClient.DefaultProxy.IsBypassed(host);
    }

    /// <summary>The proxy for <paramref name="destination"/> and why; null when no proxy variable is set at all.</summary>
    internal static ProxyChoice? Choose(Uri destination, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(environment);
        if (!Variables.Any(name => environment.GetVariable(name) is not null))
        {
            return null;
        }

        var https = destination.Scheme == Uri.UriSchemeHttps;
        var cgi = environment.GetVariable("REQUEST_METHOD") is not null;
        string[] candidates = https
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            : cgi ? ["http_proxy", "all_proxy", "ALL_PROXY"] : ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
        var (name, proxy) = candidates
            .Select(candidate => (Name: candidate, Url: Parse(environment.GetVariable(candidate))))
            .FirstOrDefault(candidate => candidate.Url is not null);
        if (proxy is null)
        {
            return new ProxyChoice(null, $"no {(https ? "HTTPS_PROXY" : "HTTP_PROXY")} or ALL_PROXY is set for an {destination.Scheme} endpoint");
        }

        var noProxyName = environment.GetVariable("no_proxy") is not null ? "no_proxy" : "NO_PROXY";
        var bypass = environment.GetVariable(noProxyName);
        return bypass is not null && IsListed(destination, bypass)
            ? new ProxyChoice(null, $"{destination.Host} is in {noProxyName}")
            : new ProxyChoice(proxy, name);
    }

    /// <summary>A proxy URL as the variables hold it: <c>http://user:pass@host:port</c>, or without a scheme (http).</summary>
    internal static Uri? Parse(string? value)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!value.Contains("://", StringComparison.Ordinal))
        {
            value = "http://" + value;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "socks4" or "socks4a" or "socks5" ? uri : null;
    }

    /// <summary>Whether NO_PROXY lists the destination.</summary>
    internal static bool IsListed(Uri destination, string noProxy)
    {
        var host = destination.IdnHost.Trim('[', ']').TrimEnd('.').ToUpperInvariant();
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : null;
        foreach (var raw in noProxy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw == "*")
            {
                return true;
            }

            var (entry, port) = SplitPort(raw.ToUpperInvariant());
            if ((port is not null && port != destination.Port) || entry.Length == 0)
            {
                continue;
            }

            if (address is not null)
            {
                if (Matches(address, entry))
                {
                    return true;
                }

                continue;
            }

            var domain = entry.StartsWith("*.", StringComparison.Ordinal) ? entry[2..] : entry.TrimStart('.');
            if (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static (string Entry, int? Port) SplitPort(string entry)
    {
        // [::1]:8080, 10.0.0.1:8080, example.com:443; a bare IPv6 address has colons but no port.
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']', StringComparison.Ordinal);
            var rest = close < 0 ? string.Empty : entry[(close + 1)..];
            return (close < 0 ? entry : entry[1..close], rest.StartsWith(':') && int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null);
        }

        var colon = entry.LastIndexOf(':');
        return colon > 0 && entry.IndexOf(':', StringComparison.Ordinal) == colon && int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (entry[..colon], port)
            : (entry, null);
    }

    private static bool Matches(IPAddress address, string entry)
    {
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return IPAddress.TryParse(entry, out var single) && single.Equals(address);
        }

        if (!IPAddress.TryParse(entry[..slash], out var network) || network.AddressFamily != address.AddressFamily
            || !int.TryParse(entry[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return prefix <= bits && MaskedEqual(address, network, prefix);
    }

    private static bool MaskedEqual(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Answers for the proxy the request went to, from the user info of the variable that named it.</summary>
    private sealed class ProxyCredentials(IEnvironment environment) : ICredentials
    {
        public NetworkCredential? GetCredential(Uri uri, string authType)
        {
            foreach (var name in Variables)
            {
                if (Parse(environment.GetVariable(name)) is { UserInfo.Length: > 0 } proxy
                    && string.Equals(proxy.Host, uri.Host, StringComparison.OrdinalIgnoreCase) && proxy.Port == uri.Port)
                {
                    return ProxyUserInfo.Credential(proxy);
                }
            }

            return null;
        }
    }
}

/// <summary>The proxy a request goes through (null: straight to the endpoint), and the variable or rule that decided.</summary>
internal sealed record ProxyChoice(Uri? Proxy, string Reason);

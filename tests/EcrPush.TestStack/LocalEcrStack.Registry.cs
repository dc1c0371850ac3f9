using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Ecr.TestStack;

// The registries as tests reach them: host names, end points, certificates, clients and the gateways' records.
public sealed partial class LocalEcrStack
{
    /// <summary>The registry host name of <paramref name="region"/>: <c>123456789012.dkr.ecr.&lt;region&gt;.amazonaws.com</c>; <c>public.ecr.aws</c> for <see cref="PublicSite"/>.</summary>
    /// <param name="region">One of <see cref="Regions"/>, or <see cref="PublicSite"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public string RegistryHost(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return _regionAddresses.ContainsKey(region)
            ? HostOf(region)
            : throw new ArgumentException(
                $"This stack serves no region '{region}'; it serves {string.Join(", ", Sites)}.", nameof(region));
    }

    /// <summary>
    /// The dual-stack host name of the same registry, as AWS documents it: <c>123456789012.dkr-ecr.&lt;region&gt;.on.aws</c>,
    /// <c>ecr-public.aws.com</c> for <see cref="PublicSite"/>. The engine, <see cref="CreateRegistryClient(string)"/> and
    /// <see cref="RegistryEndPoints"/> reach the registry under it too, with a certificate valid for both names.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>, or <see cref="PublicSite"/>.</param>
    public string DualStackRegistryHost(string region)
    {
        _ = RegistryHost(region);
        return DualStackHostOf(region);
    }

    /// <summary>Every registry host name the stack serves (each site's IPv4 and dual-stack names), with the end point it is reached at.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> RegistryEndPoints
        => _hostAddresses.ToDictionary(pair => pair.Key, pair => new IPEndPoint(pair.Value, 443), StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the registry of <paramref name="region"/> listens: a loopback address, port 443.</summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public IPEndPoint RegistryEndPoint(string region) => new(_hostAddresses[RegistryHost(region)], 443);

    /// <summary>
    /// Where the engine connects for <see cref="RegistryHost"/>(<paramref name="region"/>): with
    /// <see cref="LocalEcrStackOptions.FrontRegistries"/>, a loopback address of its own, port 443, where the caller
    /// listens; otherwise the same as <see cref="RegistryEndPoint"/>.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public IPEndPoint EngineRegistryEndPoint(string region) => new(_engineAddresses[RegistryHost(region)], 443);

    /// <summary>
    /// The TLS certificate of the registry of <paramref name="region"/>, with its private key: what a front that
    /// terminates TLS presents to the engine (which trusts the stack's authority for that host). The caller disposes it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public X509Certificate2 CreateRegistryCertificate(string region)
    {
        var server = _certificates.Servers[RegistryHost(region)];
        return X509Certificate2.CreateFromPem(server.CertificatePem, server.PrivateKeyPem);
    }

    /// <summary>
    /// Every request that the registry of <paramref name="region"/> answered (through its gateway, from anyone), in
    /// order: what a test reads to see that nothing was uploaded, or that a manifest PUT was refused.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public IReadOnlyList<RegistryRequest> RegistryRequests(string region) => _gateways[_regionAddresses.ContainsKey(region) ? region : RegistryHost(region)].Requests;

    /// <summary>
    /// Opens a TLS connection to the registry of <paramref name="region"/> as ECR's host serves it (not a caller's front), with the real
    /// host name for SNI, and its certificate checked against the stack's authority alone. The caller disposes it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="cancellationToken">Cancels connecting and the handshake.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The SslStream owns the socket's stream, and is returned.")]
    public async Task<SslStream> ConnectRegistryAsync(string region, CancellationToken cancellationToken = default)
    {
        var host = RegistryHost(region);
        ThrowIfDisposed();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        try
        {
            await socket.ConnectAsync(RegistryEndPoint(region), cancellationToken).ConfigureAwait(false);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = CreateTrustPolicy() },
                cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An HTTP client for the registry of <paramref name="region"/>: requests to
    /// <c>https://&lt;RegistryHost(region)&gt;/</c> (its <see cref="HttpClient.BaseAddress"/>) reach that region's
    /// loopback registry, whose certificate is checked against the stack's certificate authority alone, and carry
    /// Basic auth <c>AWS</c>:<see cref="RegistryPassword"/>. For checking what arrived, e.g.
    /// <c>GET v2/&lt;repository&gt;/tags/list</c>. The caller disposes it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The HttpClient owns the handler.")]
    public HttpClient CreateRegistryClient(string region) => CreateRegistryClient(region, through: null);

    /// <summary>
    /// As <see cref="CreateRegistryClient(string)"/>, but the requests travel to <paramref name="through"/>, a test's
    /// front before that region's registry (which answers under the registry's name and certificate), when it is given.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="through">Where the connections go instead of the registry; <see langword="null"/>: the registry.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The HttpClient owns the handler.")]
    public HttpClient CreateRegistryClient(string region, IPEndPoint? through)
    {
        var host = RegistryHost(region);
        ThrowIfDisposed();
        var client = new HttpClient(CreateRegistryHandler(through), disposeHandler: true)
        {
            BaseAddress = new Uri($"https://{host}/"),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryUser}:{RegistryPassword}")));
        return client;
    }

    /// <summary>The stack's authority as the only trust anchor: a certificate from anywhere else fails, and so does a wrong host name.</summary>
    private X509ChainPolicy CreateTrustPolicy()
    {
        var trust = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        trust.CustomTrustStore.Add(_certificates.Authority);
        return trust;
    }

    /// <summary>
    /// Makes <paramref name="handler"/> reach this stack's registries as a client reaches ECR's: requests keep the real
    /// ECR host name (SNI, certificate check, Host header) but travel to the loopback registry that stands in for it,
    /// whose certificate is checked against the stack's certificate authority alone; the machine's name resolution and
    /// trust store stay untouched. For a push made in this process (the Demo's, with a file attached).
    /// </summary>
    /// <param name="handler">The registry client's handler.</param>
    public void RouteRegistryConnections(SocketsHttpHandler handler) => RouteRegistryConnections(handler, through: null);

    /// <summary>
    /// Pushes as <c>EcrTasks.EcrPushAsync</c> does (the same push, logging to the settings' logger), its registry
    /// connections routed to this stack's registries (<see cref="RouteRegistryConnections(SocketsHttpHandler)"/>): for a
    /// push whose own process writes to a registry (an attached file, a layout), which only the stand-in's engine can resolve.
    /// </summary>
    /// <param name="settings">The push's settings.</param>
    /// <param name="cancellationToken">Stops the push.</param>
    /// <returns>The push's result.</returns>
    public Task<Ecr.EcrPushResult> PushAsync(Ecr.EcrPushSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Ecr.Internal.Pusher.Create(Ecr.Internal.Logging.PushLogs.For(settings.Logger), RouteRegistryConnections).PushAsync(settings, cancellationToken);
    }

    private SocketsHttpHandler CreateRegistryHandler(IPEndPoint? through)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        RouteRegistryConnections(handler, through);
        return handler;
    }

    private void RouteRegistryConnections(SocketsHttpHandler handler, IPEndPoint? through)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var addresses = _hostAddresses;
        handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = CreateTrustPolicy() };
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            if (!addresses.TryGetValue(context.DnsEndPoint.Host, out var address))
            {
                throw new HttpRequestException(
                    $"{context.DnsEndPoint.Host} is not a registry of this LocalEcrStack (it serves {string.Join(", ", addresses.Keys)}).");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(through ?? new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }
}

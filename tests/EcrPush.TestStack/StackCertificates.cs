using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ecr.TestStack;

/// <summary>
/// A certificate authority made for one stack, and a TLS server certificate per registry host name that it signed.
/// Nothing of it enters a system trust store: the engine trusts it through certs.d, and the registry clients
/// through a chain policy that trusts this authority alone.
/// </summary>
internal sealed class StackCertificates : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private StackCertificates(X509Certificate2 authority, string authorityPem, IReadOnlyDictionary<string, ServerCertificate> servers, ServerCertificate engineServer, ServerCertificate engineClient)
    {
        Authority = authority;
        AuthorityPem = authorityPem;
        Servers = servers;
        EngineServer = engineServer;
        EngineClient = engineClient;
    }

    /// <summary>The engine's TLS listener: 127.0.0.1 and localhost, as dockerd --tlscert takes it.</summary>
    public ServerCertificate EngineServer { get; }

    /// <summary>A client certificate the engine's --tlsverify accepts (clientAuth, signed by the authority).</summary>
    public ServerCertificate EngineClient { get; }

    /// <summary>The authority's certificate, without its private key.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The authority's certificate in PEM, for certs.d/&lt;host&gt;/ca.crt.</summary>
    public string AuthorityPem { get; }

    /// <summary>Certificate and key (PEM) per host name.</summary>
    public IReadOnlyDictionary<string, ServerCertificate> Servers { get; }

    /// <summary>
    /// Makes the authority and one server certificate for each group of <paramref name="hostGroups"/>, valid for every name
    /// of its group (a registry's IPv4 and dual-stack names), found in <see cref="Servers"/> under each of its names.
    /// </summary>
    public static StackCertificates Create(IEnumerable<IReadOnlyList<string>> hostGroups)
    {
        // The validity window starts a little in the past to tolerate clock differences between processes.
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = notBefore.AddDays(7);

        // P-256 keys are made in microseconds, where RSA takes tens of milliseconds each.
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=EcrPush LocalEcrStack CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        var servers = new Dictionary<string, ServerCertificate>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in hostGroups)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var hostName in group)
            {
                names.AddDnsName(hostName);
            }

            var certificate = CreateLeaf(authority, group[0], names, ServerAuthentication, notBefore, notAfter);
            foreach (var hostName in group)
            {
                servers[hostName] = certificate;
            }
        }

        var engineNames = new SubjectAlternativeNameBuilder();
        engineNames.AddIpAddress(System.Net.IPAddress.Loopback);
        engineNames.AddDnsName("localhost");
        var engineServer = CreateLeaf(authority, "LocalEcrStack dockerd", engineNames, ServerAuthentication, notBefore, notAfter);
        var engineClient = CreateLeaf(authority, "LocalEcrStack engine client", null, ClientAuthentication, notBefore, notAfter);

        return new StackCertificates(
            X509CertificateLoader.LoadCertificate(authority.RawData),
            authority.ExportCertificatePem(),
            servers,
            engineServer,
            engineClient);
    }

    /// <inheritdoc />
    public void Dispose() => Authority.Dispose();

    private static ServerCertificate CreateLeaf(
        X509Certificate2 authority, string commonName, SubjectAlternativeNameBuilder? alternativeNames, Oid usage, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        if (alternativeNames is not null)
        {
            request.CertificateExtensions.Add(alternativeNames.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));

        var serialNumber = RandomNumberGenerator.GetBytes(16);
        serialNumber[0] &= 0x7F; // A serial number must be positive.
        using var certificate = request.Create(authority, notBefore, notAfter, serialNumber);
        return new ServerCertificate(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}

/// <summary>A server certificate and its private key, both PEM.</summary>
internal sealed record ServerCertificate(string CertificatePem, string PrivateKeyPem);

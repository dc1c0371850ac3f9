using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ecr.Benchmarks;

/// <summary>
/// The ECR API as every contender meets it in AWS: HTTPS at <c>api.ecr.&lt;region&gt;.amazonaws.com:443</c>.
/// A moto_server of its own with <c>--ssl-cert/--ssl-key</c> listens on a loopback address on port 443, the
/// namespace's /etc/hosts names it, and a CA bundle (the system's plus this run's authority) is handed to every
/// program through <c>SSL_CERT_FILE</c> (Go, OpenSSL, .NET on Linux) and <c>AWS_CA_BUNDLE</c> (the aws CLI).
/// This is needed because amazon-ecr-credential-helper 0.6 and aws-cli 2.9 do not read AWS_ENDPOINT_URL_ECR:
/// they call the real host name, over TLS. The stack's own moto (plain HTTP) is not used by the benchmark.
/// </summary>
internal sealed class TlsEcrApi : IAsyncDisposable
{
    private readonly Process _moto;

    private TlsEcrApi(Process moto, IPAddress address, string caBundle, string logPath)
    {
        _moto = moto;
        Address = address;
        CaBundle = caBundle;
        LogPath = logPath;
    }

    public IPAddress Address { get; }

    /// <summary>The system's roots plus this run's authority, PEM.</summary>
    public string CaBundle { get; }

    public string LogPath { get; }

    /// <summary>How long the authorization tokens are valid, for the report.</summary>
    public string TokenNote { get; private init; } = string.Empty;

    /// <summary>
    /// moto answers GetAuthorizationToken with expiresAt = 1 January 2015, so no client can ever reuse a token
    /// (EcrPush's per-process cache and the credential helper's file cache both fetch anew). ECR's tokens are valid
    /// for 12 hours; this launcher runs moto_server with that expiry instead, and changes nothing else.
    /// </summary>
    private const string TwelveHourTokens = """
        import sys, time
        try:
            import moto.ecr.responses as ecr
            _get = ecr.ECRResponse.get_authorization_token
            def get_authorization_token(self):
                result = _get(self)
                for item in getattr(result, "result", {}).get("authorizationData", []):
                    item["expiresAt"] = time.time() + 12 * 3600
                return result
            ecr.ECRResponse.get_authorization_token = get_authorization_token
        except Exception as error:
            print("could not set 12 h token expiry:", error, file=sys.stderr)
        from moto.server import main
        sys.exit(main())
        """;

    public static string HostOf(string region) => $"api.ecr.{region}.amazonaws.com";

    public static async Task<TlsEcrApi> StartAsync(string directory, IReadOnlyList<string> regions, string motoServer)
    {
        var address = PickAddress();
        var hosts = regions.Select(HostOf).ToList();
        var (authorityPem, certificatePem, keyPem, authority) = MakeCertificates(hosts);

        var tls = System.IO.Directory.CreateDirectory(Path.Combine(directory, "ecr-api-tls")).FullName;
        var certificate = Path.Combine(tls, "server.crt");
        var key = Path.Combine(tls, "server.key");
        var bundle = Path.Combine(tls, "ca-bundle.pem");
        await File.WriteAllTextAsync(certificate, certificatePem);
        await File.WriteAllTextAsync(key, keyPem);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        const string SystemBundle = "/etc/ssl/certs/ca-certificates.crt";
        await File.WriteAllTextAsync(bundle, (File.Exists(SystemBundle) ? await File.ReadAllTextAsync(SystemBundle) + "\n" : string.Empty) + authorityPem);
        PrivateNamespace.AddHosts(hosts.Select(host => $"{address} {host}"));

        var log = Path.Combine(directory, "moto-tls.log");
        string[] server = [motoServer];
        var tokenNote = "moto's own token expiry (1 January 2015: no token is ever reused)";
        if (PythonOf(motoServer) is { } python)
        {
            var launcher = Path.Combine(tls, "moto_server_12h_tokens.py");
            await File.WriteAllTextAsync(launcher, TwelveHourTokens);
            server = [python, launcher];
            tokenNote = "tokens valid 12 h, as ECR's (moto's fixed 2015 expiry replaced at start-up)";
        }

        var startInfo = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var argument in (string[])["-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "sh", log, .. server, "-H", address.ToString(), "-p", "443", "-c", certificate, "-k", key])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy" })
        {
            startInfo.Environment.Remove(name);
        }

        var moto = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {motoServer}.");
        var api = new TlsEcrApi(moto, address, bundle, log) { TokenNote = tokenNote };
        try
        {
            await api.WaitUntilReadyAsync(hosts[0], authority);
            return api;
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
        finally
        {
            authority.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_moto.HasExited)
        {
            _moto.Kill(entireProcessTree: true);
            await _moto.WaitForExitAsync();
        }

        _moto.Dispose();
    }

    private async Task WaitUntilReadyAsync(string host, X509Certificate2 authority)
    {
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(authority);
        var address = Address;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = trust },
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_moto.HasExited)
            {
                throw new InvalidOperationException($"moto_server (TLS ECR API) exited with code {_moto.ExitCode}; its log:\n{Tail(LogPath)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"https://{host}/moto-api/"));
                return;
            }
            catch (HttpRequestException exception)
            {
                last = exception;
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"moto_server (TLS ECR API) at https://{host} ({Address}:443) did not answer in 30 s ({last?.Message}); its log:\n{Tail(LogPath)}");
    }

    /// <summary>The Python of a pip-installed script, from its #! line (a pyenv shim is a shell script: none).</summary>
    private static string? PythonOf(string script)
    {
        using var reader = new StreamReader(script);
        var first = reader.ReadLine();
        if (first is null || !first.StartsWith("#!", StringComparison.Ordinal))
        {
            return null;
        }

        var interpreter = first[2..].Trim().Split(' ')[0];
        return Path.GetFileName(interpreter).StartsWith("python", StringComparison.Ordinal) && File.Exists(interpreter) ? interpreter : null;
    }

    private static string Tail(string path) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(20)) : "(no log)";

    private static IPAddress PickAddress()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var address = new IPAddress([127, (byte)RandomNumberGenerator.GetInt32(1, 255), (byte)RandomNumberGenerator.GetInt32(0, 256), 201]);
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address, 443));
                return address;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException("No free loopback address on port 443 for the TLS ECR API.");
    }

    private static (string AuthorityPem, string CertificatePem, string KeyPem, X509Certificate2 Authority) MakeCertificates(IReadOnlyList<string> hosts)
    {
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = notBefore.AddDays(2);
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=EcrPush benchmark ECR API CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, false));
        using var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(authority, notBefore, notAfter, serial);
        return (authority.ExportCertificatePem(), certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(),
            X509CertificateLoader.LoadCertificate(authority.RawData));
    }
}

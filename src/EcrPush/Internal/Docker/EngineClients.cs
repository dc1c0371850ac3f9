using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.NativeHttp;

namespace Ecr.Internal.Docker;

/// <summary>Builds the Docker.DotNet client of an <see cref="EngineTarget"/>: as it is, or over TLS with the target's files.</summary>
internal static class EngineClients
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The client certificate lives as long as the client, which is cached for the process's life.")]
    public static DockerClient Create(EngineTarget target)
    {
        var builder = new DockerClientBuilder().WithTimeout(Timeout.InfiniteTimeSpan);
        if (target.Tls is not { } tls)
        {
            return builder.WithEndpoint(target.Endpoint).Build();
        }

        // The engine's certificate is checked against ca.pem alone (or the machine's trust store without one), through
        // a chain policy: nothing here can accept any certificate. The native transport is SocketsHttpHandler, which
        // takes both; the default one for tcp:// does not.
        return builder.WithEndpoint(target.Endpoint).WithTransportOptions(new NativeHttpTransportOptions()).WithAuthProvider(new TlsAuthProvider(LoadClientCertificate(tls), LoadTrust(tls))).Build();
    }

    /// <summary>
    /// A failure of the TLS session rather than of the connection: the handshake (a wrong CA), or the engine's alert after
    /// it (no client certificate: under TLS 1.3 it arrives only at the first read, and .NET's OpenSSL layer raises it as
    /// its own SslException under an IOException, "sslv3 alert bad certificate"), or, when this side has no client
    /// certificate, the engine closing the session. Any other broken connection, a refused one or a time-out is the
    /// engine or the network, not TLS: a reset in the middle of a push is not a certificate problem.
    /// </summary>
    public static bool IsTlsFailure(Exception exception, EngineTls tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var innermost = exception;
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (IsTlsLayer(current))
            {
                return true;
            }

            innermost = current;
        }

        return tls.CertificateFile is null && innermost is not (System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException);
    }

    private static bool IsTlsLayer(Exception exception)
        => exception is AuthenticationException or HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } || exception.GetType().Name == "SslException";

    public static EcrPushException TlsFailure(EngineTarget target, EngineTls tls, string what, Exception exception)
    {
        var detail = exception;
        while (detail.InnerException is not null)
        {
            detail = detail.InnerException;
        }

        return new EcrPushException(
            $"The TLS connection to the Docker engine at {target.Endpoint} (from {target.Source}) failed when asked to {what} ({detail.Message}). " +
            $"Check that {tls.CaFile ?? "the machine's trust store (there is no ca.pem)"} is the authority that signed the engine's certificate, and that " +
            $"{(tls.CertificateFile is null ? "a client certificate (cert.pem and key.pem, which are missing)" : tls.CertificateFile)} is one the engine accepts (from {tls.Source}).",
            exception);
    }

    private static X509Certificate2? LoadClientCertificate(EngineTls tls)
    {
        if (tls.CertificateFile is null || tls.KeyFile is null)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new EcrPushException($"The Docker engine's TLS client certificate could not be read from {tls.CertificateFile} and {tls.KeyFile} (from {tls.Source}): {Messages.Sentence(exception.Message)} They must be PEM files of one certificate and its private key.", exception);
        }
    }

    private static X509ChainPolicy? LoadTrust(EngineTls tls)
    {
        if (tls.CaFile is null)
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(tls.CaFile);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new EcrPushException($"The Docker engine's certificate authority could not be read from {tls.CaFile} (from {tls.Source}): {Messages.Sentence(exception.Message)} It must be a PEM file of the engine's CA certificate.", exception);
        }

        if (authorities.Count == 0)
        {
            throw new EcrPushException($"{tls.CaFile} (from {tls.Source}) holds no certificate: it must be the PEM file of the engine's CA certificate.");
        }

        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(authorities);
        return policy;
    }

    /// <summary>Tells the client to speak TLS, and gives its socket handler the client certificate and the trust to check the engine with.</summary>
    private sealed class TlsAuthProvider(X509Certificate2? clientCertificate, X509ChainPolicy? trust) : IAuthProvider
    {
        public bool TlsEnabled => true;

        public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler)
        {
            if (handler is SocketsHttpHandler sockets)
            {
                if (clientCertificate is not null)
                {
                    sockets.SslOptions.ClientCertificates = [clientCertificate];
                }

                if (trust is not null)
                {
                    sockets.SslOptions.CertificateChainPolicy = trust;
                }
            }
            else
            {
                throw new EcrPushException($"The Docker client's transport ({handler.GetType().Name}) cannot take a client certificate and an authority here; reach the engine over TLS on Linux or macOS, or through a unix socket or named pipe.");
            }

            return handler;
        }
    }
}

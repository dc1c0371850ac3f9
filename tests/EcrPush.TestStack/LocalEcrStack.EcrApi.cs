using System.Diagnostics.CodeAnalysis;

namespace Ecr.TestStack;

// The ECR API endpoint the stack hands out: moto behind the front that keeps it in step with the registries.
public sealed partial class LocalEcrStack
{
    [SuppressMessage("Usage", "CA2213:Disposable fields should be disposed", Justification = "Teardown disposes it (StopEcrApiGatewayAsync), before the registries' gateways.")]
    private EcrApiGateway? _ecrApiGateway;
    private Uri? _motoEndpoint;

    /// <summary>ECR's managed signing as the stack's ECR API answers it: the signing rules a test adds for its repositories.</summary>
    public ManagedSigningStandIn Signing { get; } = new();

    /// <summary>moto itself, for the gateways' own calls, which must not pass through the front again.</summary>
    private Uri MotoEndpoint => _motoEndpoint ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>Starts the front before moto once moto answers; returns the endpoint that clients are given.</summary>
    private Uri StartEcrApiGateway(Uri moto)
    {
        _motoEndpoint = moto;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposal is not null, this);
            var server = _certificates.Servers[EcrApiHostNames[0]];
            _ecrApiGateway = new EcrApiGateway(moto, _gateways, _ecrApi, _apiState, _publicApi, System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(server.CertificatePem, server.PrivateKeyPem), Signing);
        }

        Log($"ECR API front at {_ecrApiGateway.Endpoint} (and over TLS at {_ecrApiGateway.TlsEndPoint} for {string.Join(", ", EcrApiHostNames)}) before moto at {moto}: PutImage writes the manifest into the region's registry too; ECR Public's API and the operations of 2025 are answered by the front");
        return _ecrApiGateway.Endpoint;
    }

    private async ValueTask StopEcrApiGatewayAsync()
    {
        if (_ecrApiGateway is { } gateway)
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using System.Globalization;

namespace Ecr.TestStack;

/// <summary>The engine's optional TCP listener with TLS (<see cref="LocalEcrStackOptions.EngineTls"/>).</summary>
public sealed partial class LocalEcrStack
{
    private int? _engineTlsPort;

    /// <summary>The engine over TCP with TLS, <c>tcp://127.0.0.1:port</c>; null unless <see cref="LocalEcrStackOptions.EngineTls"/>.</summary>
    public string? EngineTlsHost => _engineTlsPort is { } port ? string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{port}") : null;

    /// <summary>
    /// A folder with <c>ca.pem</c> (the stack's authority), <c>cert.pem</c> and <c>key.pem</c> (a client certificate
    /// the engine accepts), as <c>DOCKER_CERT_PATH</c> names it; null unless <see cref="LocalEcrStackOptions.EngineTls"/>.
    /// </summary>
    public string? EngineCertPath => _engineTlsPort is null ? null : Path.Combine(StateDirectory, "engine-client");

    private void InitializeEngineTls(LocalEcrStackOptions options)
    {
        if (options.EngineTls)
        {
            _engineTlsPort = LoopbackAddresses.PickMotoPort();
        }
    }

    private IEnumerable<string> EngineTlsArguments()
    {
        if (_engineTlsPort is null)
        {
            return [];
        }

        var server = Path.Combine(StateDirectory, "engine-server");
        return
        [
            "--host", EngineTlsHost!,
            "--tlsverify",
            "--tlscacert", Path.Combine(server, "ca.pem"),
            "--tlscert", Path.Combine(server, "cert.pem"),
            "--tlskey", Path.Combine(server, "key.pem"),
        ];
    }

    private async Task WriteEngineTlsFilesAsync(CancellationToken cancellationToken)
    {
        if (_engineTlsPort is null)
        {
            return;
        }

        foreach (var (folder, pair) in new[] { ("engine-server", _certificates.EngineServer), ("engine-client", _certificates.EngineClient) })
        {
            var directory = Directory.CreateDirectory(Path.Combine(StateDirectory, folder)).FullName;
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), _certificates.AuthorityPem, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), pair.CertificatePem, cancellationToken).ConfigureAwait(false);
            var key = Path.Combine(directory, "key.pem");
            await File.WriteAllTextAsync(key, pair.PrivateKeyPem, cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }
}

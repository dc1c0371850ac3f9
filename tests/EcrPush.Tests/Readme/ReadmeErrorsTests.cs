using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Docker;
using Ecr.Internal.Registry;
using Ecr.Tests.Aws;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Readme;

/// <summary>
/// The README's errors table is what the library says: each listed start is matched by a message produced here for
/// real (the settings check, the credential and region chains, the ECR client on an AWS error answer, the engine
/// adapter against a socket with no engine, a fake engine and a TLS engine of the wrong authority, the push with fakes
/// behind its seams), and each message produced here has its row. A message that changes, a row that names a message
/// the library no longer gives, or a new producer without a row fails with the table and the messages side by side.
/// </summary>
public sealed class ReadmeErrorsTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("ecrpush-readme-errors-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Every_row_of_the_errors_table_is_what_the_library_says_and_every_message_here_has_its_row()
    {
        var rows = ErrorsTable(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md")));
        var messages = new List<string>();
        foreach (var produce in Producers())
        {
            messages.Add((await Assert.ThrowsAsync<EcrPushException>(produce)).Message);
        }

        var report = "README rows:\n  " + string.Join("\n  ", rows) + "\nMessages the library gave:\n  " + string.Join("\n  ", messages);
        Assert.True(rows.Count >= 10, "The errors table has fewer rows than expected.\n" + report);
        foreach (var row in rows)
        {
            Assert.True(messages.Any(message => Starts(row, message)), $"No message starts as the README's row `{row}`.\n" + report);
        }

        foreach (var message in messages)
        {
            Assert.True(rows.Any(row => Starts(row, message)), $"No row of the README's errors table starts as this message: {message}\n" + report);
        }
    }

    [Fact]
    public void A_row_is_read_as_the_start_of_a_message_with_an_ellipsis_for_any_text()
    {
        Assert.True(Starts("The image … is not in the Docker engine", "The image web:1.4.2 is not in the Docker engine at unix:///x (…)"));
        Assert.False(Starts("The image … is not in the Docker engine", "Before: The image web is not in the Docker engine"));
        Assert.False(Starts("No AWS region was found", "No AWS region is set. Looked at …"));
    }

    /// <summary>The first cell's code of each row of the table under the heading "Errors and troubleshooting".</summary>
    private static List<string> ErrorsTable(string readme)
    {
        var lines = readme.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var heading = lines.FindIndex(line => line.StartsWith("## Errors", StringComparison.Ordinal));
        Assert.True(heading >= 0, "The README has no heading '## Errors …'.");
        var table = lines.Skip(heading + 1).SkipWhile(line => !line.StartsWith('|')).TakeWhile(line => line.StartsWith('|')).Skip(2);
        return [.. table.Select(row => Regex.Match(row, "^\\|\\s*`([^`]+)`").Groups[1].Value)];
    }

    private static bool Starts(string row, string message)
        => Regex.IsMatch(message, "^" + Regex.Escape(row).Replace("…", ".*?", StringComparison.Ordinal), RegexOptions.Singleline);

    private IEnumerable<Func<Task>> Producers()
    {
        yield return SettingsProblemAsync;
        yield return NoCredentialsAsync;
        yield return NoRegionAsync;
        yield return AccessDeniedAsync;
        yield return EngineNotAnsweringAsync;
        yield return EngineTlsOfAnotherAuthorityAsync;
        yield return ImageNotInEngineAsync;
        yield return RepositoryMissingAsync;
        yield return ImmutableTagTakenAsync;
        yield return RegistryRefusedPushAsync;
    }

    private static Task<EcrPushResult> SettingsProblemAsync()
        => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("web:1.4.2").SetRepositoryName("Team/Web"));

    private async Task NoCredentialsAsync()
    {
        using var home = new AwsHome();
        await new AwsCredentialResolver(home.Environment(("AWS_EC2_METADATA_DISABLED", "true")), new RecordingLog())
            .ResolveAsync(new AwsOptions(), "us-east-1", CancellationToken.None);
    }

    internal async Task NoRegionAsync()
    {
        using var home = new AwsHome();
        await new AwsRegionResolver(home.Environment(("AWS_EC2_METADATA_DISABLED", "true"))).ResolveAsync(new AwsOptions(), CancellationToken.None);
    }

    internal static async Task AccessDeniedAsync()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenError(HttpStatusCode.BadRequest, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:GetAuthorizationToken");
        await harness.Client.GetAuthorizationAsync(null, CancellationToken.None);
    }

    // A socket file that nothing listens on, as a stopped dockerd leaves behind.
    internal async Task EngineNotAnsweringAsync()
    {
        var path = Path.Combine(_scratch, "stopped.sock");
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path));
        await Engine(new Uri("unix://" + path)).FindImageAsync(new Ecr.Internal.Sources.EngineImageSpec("web:1.4.2", IsId: false), CancellationToken.None);
    }

    // A TLS engine whose certificate ca.pem did not sign.
    internal async Task EngineTlsOfAnotherAuthorityAsync()
    {
        using var engineKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var engineCertificate = SelfSigned("CN=127.0.0.1", engineKey);
        using var serverCertificate = X509CertificateLoader.LoadPkcs12(engineCertificate.Export(X509ContentType.Pkcs12), null);
        using var otherAuthorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherAuthority = SelfSigned("CN=another authority", otherAuthorityKey);
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientCertificate = SelfSigned("CN=client", clientKey);
        var certificates = Directory.CreateDirectory(Path.Combine(_scratch, "tls")).FullName;
        await File.WriteAllTextAsync(Path.Combine(certificates, "ca.pem"), otherAuthority.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(certificates, "cert.pem"), clientCertificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(certificates, "key.pem"), clientKey.ExportPkcs8PrivateKeyPem());

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var connection = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(connection.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(serverCertificate);
            }
            catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException)
            {
                // The client gives up on the certificate: what this producer is for.
            }
        });

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            var engine = DockerEngine.Connect(new Uri($"tcp://127.0.0.1:{port}"), new EngineOptions(TlsVerify: true, CertPath: certificates), new FakeEnvironment());
            await engine.FindImageAsync(new Ecr.Internal.Sources.EngineImageSpec("web:1.4.2", IsId: false), CancellationToken.None);
        }
        finally
        {
            await server.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    internal async Task ImageNotInEngineAsync()
    {
        await using var engine = new FakeEngineSocket(Path.Combine(_scratch, "missing-image.sock"), (_, path) =>
            path.Contains("/images/json", StringComparison.Ordinal) ? (200, "[]")
            : path.Contains("/images/", StringComparison.Ordinal) ? (404, """{"message":"No such image: web:1.4.2"}""")
            : (404, """{"message":"page not found"}"""));
        await Engine(engine.Endpoint).FindImageAsync(new Ecr.Internal.Sources.EngineImageSpec("web:1.4.2", IsId: false), CancellationToken.None);
    }

    // The real engine adapter, on an engine that has the image and streams the registry's refusal of the push, under
    // the push's own steps (FakeEcr behind the ECR seam): what a user sees when the registry says no.
    internal async Task RegistryRefusedPushAsync()
    {
        const string imageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        await using var engine = new FakeEngineSocket(Path.Combine(_scratch, "refused-push.sock"), (method, path) =>
            path.Contains("/push", StringComparison.Ordinal)
                ? (200, """
                    {"status":"The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web]"}
                    {"errorDetail":{"message":"denied: Your authorization token has expired. Reauthenticate and try again."},"error":"denied: Your authorization token has expired. Reauthenticate and try again."}

                    """)
            : path.Contains("/tag", StringComparison.Ordinal) ? (201, "")
            : method == "DELETE" ? (200, "[]")
            : path.Contains("/images/json", StringComparison.Ordinal) ? (200, "[]")
            : path.Contains("/images/", StringComparison.Ordinal) ? (200, $$"""{"Id":"{{imageId}}","RepoTags":["web:1.4.2"]}""")
            : (404, """{"message":"page not found"}"""));
        var ecr = new FakeEcr();
        ecr.AddRepository("team/web");
        var environment = new FakeEnvironment();
        await new Pusher(ecr, _ => Engine(engine.Endpoint), new TokenCache(environment), environment, new RecordingLog())
            .PushAsync(new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web").SetTargetTags("1.4.2"), CancellationToken.None);
    }

    private static Task<EcrPushResult> RepositoryMissingAsync()
        => PushWithFakes(new FakeEcr(), new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/new"));

    private static Task<EcrPushResult> ImmutableTagTakenAsync()
    {
        var ecr = new FakeEcr();
        ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image("sha256:bbbb", "sha256:other") });
        return PushWithFakes(ecr, new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web"));
    }

    private static Task<EcrPushResult> PushWithFakes(FakeEcr ecr, EcrPushSettings settings)
    {
        var engine = new FakeDockerEngine();
        engine.Tags["web:1.4.2"] = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        var environment = new FakeEnvironment();
        return new Pusher(ecr, _ => engine, new TokenCache(environment), environment, new RecordingLog()).PushAsync(settings.SetTargetTags("1.4.2"), CancellationToken.None);
    }

    private static DockerEngine Engine(Uri endpoint) => DockerEngine.Connect(endpoint, new EngineOptions(), new FakeEnvironment());

    private static X509Certificate2 SelfSigned(string subject, ECDsa key)
        => new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>The clone: the folder above the test's output that holds EcrPush.Nuke.sln.</summary>
    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EcrPush.Nuke.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No EcrPush.Nuke.sln above {AppContext.BaseDirectory}.");
    }
}

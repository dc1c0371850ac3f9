using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>A stack whose engine also listens on TCP with --tlsverify (certificates made by the stack), for the engine-over-TLS tests.</summary>
public sealed class EngineTlsStackFixture : IAsyncLifetime
{
    public const string Region = "eu-north-1";

    public LocalEcrStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
        => Stack = await LocalEcrStack.StartAsync(new LocalEcrStackOptions { Regions = [Region], EngineTls = true });

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    /// <summary>Settings for this stack's ECR API and region, without a DockerHost: the engine comes from the environment or a context.</summary>
    public EcrPushSettings Settings(string image, string repository)
        => new EcrPushSettings()
            .SetRegion(Region).SetEcrEndpointUrl(Stack.EcrEndpoint.ToString())
            .SetSourceImageName(image).SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository();
}

/// <summary>
/// The engine over TCP with TLS, found as the Docker CLI finds it: DOCKER_HOST with DOCKER_TLS_VERIFY and
/// DOCKER_CERT_PATH, or a Docker context made by the docker CLI itself. A wrong CA or a missing client certificate
/// is a clear error naming the file.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EngineTlsTests(EngineTlsStackFixture fixture) : IClassFixture<EngineTlsStackFixture>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("ecrpush-engine-tls-").FullName;

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Pushes_through_an_engine_reached_by_DOCKER_HOST_with_DOCKER_TLS_VERIFY_and_DOCKER_CERT_PATH()
    {
        var imageId = await Stack.BuildImageAsync("tls-env:1");
        var repository = StackChecks.NewRepository("tls-env");
        using var scope = new EnvironmentScope(("DOCKER_HOST", Stack.EngineTlsHost), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", Stack.EngineCertPath));

        var result = await EcrTasks.EcrPushAsync(fixture.Settings("tls-env", repository));

        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, EngineTlsStackFixture.Region, result.DigestReference));
    }

    [Fact]
    public async Task Pushes_through_a_TLS_engine_given_by_the_settings_alone_whatever_the_variables_say()
    {
        var imageId = await Stack.BuildImageAsync("tls-settings:1");
        var repository = StackChecks.NewRepository("tls-settings");
        using var scope = new EnvironmentScope(("DOCKER_HOST", "unix:///nowhere/docker.sock"), ("DOCKER_TLS_VERIFY", null), ("DOCKER_CERT_PATH", "/nowhere"));

        var result = await EcrTasks.EcrPushAsync(fixture.Settings("tls-settings", repository)
            .SetDockerHost(Stack.EngineTlsHost).EnableDockerTlsVerify().SetDockerCertPath(Stack.EngineCertPath).EnableRequireDockerTls());

        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, EngineTlsStackFixture.Region, result.DigestReference));
    }

    [Theory]
    [InlineData("DOCKER_CONTEXT")]
    [InlineData("DockerContext")]
    [InlineData("currentContext")]
    public async Task Pushes_through_the_engine_of_a_Docker_context_made_by_the_docker_CLI(string chosenBy)
    {
        var imageId = await Stack.BuildImageAsync("tls-context:1");
        var repository = StackChecks.NewRepository("tls-context");
        var config = Path.Combine(_scratch, "docker-config");
        var certs = Stack.EngineCertPath!;
        await DockerCliAsync(config, "context", "create", "ecrpush-tls", "--docker",
            $"host={Stack.EngineTlsHost},ca={Path.Combine(certs, "ca.pem")},cert={Path.Combine(certs, "cert.pem")},key={Path.Combine(certs, "key.pem")}");
        if (chosenBy == "currentContext")
        {
            await DockerCliAsync(config, "context", "use", "ecrpush-tls");
        }

        // The setting wins over DOCKER_HOST, as docker --context does.
        using var scope = new EnvironmentScope(
            ("DOCKER_HOST", chosenBy == "DockerContext" ? "unix:///nowhere/docker.sock" : null),
            ("DOCKER_CONFIG", config),
            ("DOCKER_CONTEXT", chosenBy == "DOCKER_CONTEXT" ? "ecrpush-tls" : null));

        var settings = fixture.Settings("tls-context", repository);
        var result = await EcrTasks.EcrPushAsync(chosenBy == "DockerContext" ? settings.SetDockerContext("ecrpush-tls") : settings);

        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, EngineTlsStackFixture.Region, result.DigestReference));
    }

    [Fact]
    public async Task A_CA_that_did_not_sign_the_engine_is_an_error_naming_the_ca_file()
    {
        await Stack.BuildImageAsync("tls-wrong-ca:1");
        var certs = CopyCerts("wrong-ca");
        using (var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=Some other authority", otherKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Combine(certs, "ca.pem"), other.ExportCertificatePem());
        }

        using var scope = new EnvironmentScope(("DOCKER_HOST", Stack.EngineTlsHost), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(fixture.Settings("tls-wrong-ca", StackChecks.NewRepository("tls-wrong-ca"))));

        Assert.Contains($"The TLS connection to the Docker engine at {Stack.EngineTlsHost}", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"Check that {Path.Combine(certs, "ca.pem")} is the authority that signed the engine's certificate", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_client_certificate_the_error_names_the_missing_files()
    {
        await Stack.BuildImageAsync("tls-no-cert:1");
        var certs = CopyCerts("no-cert");
        File.Delete(Path.Combine(certs, "cert.pem"));
        File.Delete(Path.Combine(certs, "key.pem"));
        using var scope = new EnvironmentScope(("DOCKER_HOST", Stack.EngineTlsHost), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(fixture.Settings("tls-no-cert", StackChecks.NewRepository("tls-no-cert"))));

        Assert.True(exception.Message.Contains("a client certificate (cert.pem and key.pem, which are missing)", StringComparison.Ordinal), exception.Message);
        Assert.Contains(certs, exception.Message, StringComparison.Ordinal);

        // Half a pair is named before any connection.
        await File.WriteAllTextAsync(Path.Combine(certs, "cert.pem"), await File.ReadAllTextAsync(Path.Combine(Stack.EngineCertPath!, "cert.pem")));
        var half = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(fixture.Settings("tls-no-cert", StackChecks.NewRepository("tls-no-cert"))));
        Assert.Contains($"{Path.Combine(certs, "key.pem")} (from DOCKER_CERT_PATH) does not exist", half.Message, StringComparison.Ordinal);
    }

    private string CopyCerts(string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_scratch, name)).FullName;
        foreach (var file in new[] { "ca.pem", "cert.pem", "key.pem" })
        {
            File.Copy(Path.Combine(Stack.EngineCertPath!, file), Path.Combine(directory, file));
        }

        return directory;
    }

    /// <summary>The docker CLI, with a DOCKER_CONFIG of the test's own: it writes the context as it always does.</summary>
    private static async Task DockerCliAsync(string config, params string[] arguments)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOCKER_CONFIG"] = config;
        start.Environment.Remove("DOCKER_HOST");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("docker did not start (apt-get install docker.io)");
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"docker {string.Join(' ', arguments)} failed: {await error}");
    }
}

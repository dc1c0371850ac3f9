using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Reliability;

/// <summary>
/// The faults issue 17 found where the paths differed, each pinned on the one path by a test that fails without its fix
/// (the writer's, the retry policy's and the token refresh's own tests are under Registry/).
/// </summary>
public sealed class OnePathFaultTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Target = FakeEcr.Host + "/team/web";

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();

    public OnePathFaultTests() => _engine.Tags["web:1.4.2"] = ImageId;

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task A_typo_in_the_engine_image_s_name_creates_no_repository()
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings("web:1.4.3").SetRepositoryName("team/new").EnableAutoCreateRepository(), CancellationToken.None));

        Assert.Equal("The image web:1.4.3 is not in the fake engine. Nothing was pushed.", exception.Message);
        Assert.Equal(0, _ecr.CreateCalls);
        Assert.DoesNotContain(_log.Lines, l => l.Contains("Created the repository", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_push_whose_second_tag_fails_says_that_the_first_landed_and_holds_it_as_data()
    {
        _engine.OnPush = (_, tag) => tag == "latest"
            ? Task.FromException<string>(Ecr.Internal.Docker.DockerEngine.RegistryRefusal(FakeEcr.Host, $"push {Target}:latest", "denied: not allowed"))
            : Task.FromResult(FakeDockerEngine.Digest);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Pusher().PushAsync(Settings("web:1.4.2").SetTargetTags("1.4.2", "latest"), CancellationToken.None));

        Assert.Equal($"The Docker engine's push to {FakeEcr.Host} failed when asked to push {Target}:latest: denied: not allowed. Tagged before the failure: {Target}:1.4.2 ({FakeDockerEngine.Digest}); not tagged: latest.", exception.Message);
        var landed = Assert.Single(exception.Landed);
        Assert.Equal([$"{Target}:1.4.2"], landed.ImageReferences);
        Assert.Equal(FakeDockerEngine.Digest, landed.Digest);
        Assert.Equal(["web:1.4.2"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_token_the_registry_refuses_in_the_middle_of_a_push_is_fetched_again_once_and_the_push_goes_on()
    {
        using var layout = new TestLayout();
        var manifest = layout.Manifest(withMediaType: true, layerText: "rotated");
        layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await layout.WriteIndexAsync();

        // The token the push was given has expired by the time its requests arrive: the registry takes only the next one.
        _registry.Password = "password-2";
        var result = await Pusher().PushAsync(new EcrPushSettings().SetSourceOciLayout(layout.Path).SetRepositoryName("team/web"), CancellationToken.None);

        Assert.Equal(manifest, result.Digest);
        Assert.Equal(2, _ecr.TokenCalls);
        Assert.Equal(["latest"], _registry.Tags(FakeEcr.Host, "team/web"));
        Assert.Contains(_registry.Requests, r => r.Status == 401);
    }

    [Fact]
    public async Task An_image_in_ECR_copied_into_another_repository_of_its_registry_is_mounted_from_its_own_repository()
    {
        var digest = _registry.AddImage(FakeEcr.Host, "team/web", "rc", ImageId);
        var (bytes, mediaType) = _registry.Manifest(FakeEcr.Host, "team/web", "rc")!.Value;
        _ecr.AddManifest("team/web", "rc", new EcrManifest(System.Text.Encoding.UTF8.GetString(bytes), mediaType, digest, FakeEcr.Account));

        var result = await Pusher().PushAsync(new EcrPushSettings().SetSourceRepositoryName("team/web").SetSourceImageTag("rc").SetRepositoryName("team/other").EnableAutoCreateRepository(), CancellationToken.None);

        Assert.Equal(digest, result.Digest);
        var mounts = _registry.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, mounts.Count);
        Assert.All(mounts, mount => Assert.Contains("&from=team%2Fweb", mount.PathAndQuery, StringComparison.Ordinal));
        Assert.Empty(_registry.UploadBodies);
    }

    [Fact]
    public void A_broken_connection_to_a_TLS_engine_with_a_client_certificate_is_not_called_a_certificate_problem()
    {
        var withCertificate = new EngineTls("/certs/ca.pem", "/certs/cert.pem", "/certs/key.pem", "DOCKER_CERT_PATH");
        var withoutCertificate = withCertificate with { CertificateFile = null, KeyFile = null };
        var reset = new HttpRequestException("An error occurred while sending the request.", new IOException("Connection reset by peer"));
        var badAuthority = new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established.", new System.Security.Authentication.AuthenticationException("UntrustedRoot"));

        var resetBySocket = new HttpRequestException("An error occurred while sending the request.", new IOException("Unable to read data from the transport connection", new System.Net.Sockets.SocketException(104)));
        var alert = new HttpRequestException("An error occurred while sending the request.", new IOException("Unable to read data from the transport connection", new SslException("error:0A000412:SSL routines::sslv3 alert bad certificate")));

        Assert.False(EngineClients.IsTlsFailure(reset, withCertificate));
        Assert.False(EngineClients.IsTlsFailure(resetBySocket, withCertificate));
        Assert.False(EngineClients.IsTlsFailure(resetBySocket, withoutCertificate));
        Assert.True(EngineClients.IsTlsFailure(reset, withoutCertificate));
        Assert.True(EngineClients.IsTlsFailure(alert, withCertificate));
        Assert.True(EngineClients.IsTlsFailure(badAuthority, withCertificate));
        Assert.False(EngineClients.IsTlsFailure(new HttpRequestException("refused", new System.Net.Sockets.SocketException(111)), withoutCertificate));
        Assert.False(EngineClients.IsTlsFailure(new TimeoutException("no answer in 15 s"), withoutCertificate));
    }

    /// <summary>Named as .NET's OpenSSL layer names the exception that carries a TLS alert (Interop+OpenSsl+SslException, internal).</summary>
    private sealed class SslException : Exception
    {
        public SslException()
        {
        }

        public SslException(string message)
            : base(message)
        {
        }

        public SslException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }

    private static EcrPushSettings Settings(string image) => new EcrPushSettings().SetSourceImageName(image).SetRepositoryName("team/web");

    private Pusher Pusher()
    {
        _ecr.AddRepository("team/web");
        return new(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };
    }
}

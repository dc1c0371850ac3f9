using Ecr.Internal;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;

namespace Ecr.Tests;

/// <summary>Where the engine is found, as the Docker CLI finds it, and the warning for plain TCP to another machine.</summary>
public sealed class EngineTargetTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("ecrpush-engine-target-").FullName;
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();

    public EngineTargetTests() => _environment.HomeDirectory = _home;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void DOCKER_HOST_wins_over_DOCKER_CONTEXT_as_in_the_Docker_CLI_and_TLS_comes_with_DOCKER_TLS_VERIFY()
    {
        _environment["DOCKER_HOST"] = "tcp://docker:2376";
        _environment["DOCKER_CONTEXT"] = "elsewhere";
        _environment["DOCKER_TLS_VERIFY"] = "1";
        _environment["DOCKER_CERT_PATH"] = _home;
        File.WriteAllText(Path.Combine(_home, "ca.pem"), "x");

        var target = EngineTarget.Resolve(null, new EngineOptions(), _environment);

        Assert.Equal(new Uri("tcp://docker:2376"), target.Endpoint);
        Assert.Equal("DOCKER_HOST", target.Source);
        Assert.Equal(Path.Combine(_home, "ca.pem"), target.Tls?.CaFile);
        Assert.Null(target.Tls?.CertificateFile);
        Assert.False(target.IsPlainRemote);
    }

    [Fact]
    public void A_context_that_turns_verification_off_is_refused()
    {
        var config = Path.Combine(_home, ".docker");
        var id = string.Concat(System.Security.Cryptography.SHA256.HashData("lax"u8.ToArray()).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        Directory.CreateDirectory(Path.Combine(config, "contexts", "meta", id));
        File.WriteAllText(Path.Combine(config, "config.json"), """{"currentContext":"lax"}""");
        File.WriteAllText(Path.Combine(config, "contexts", "meta", id, "meta.json"), """{"Name":"lax","Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":true}}}""");

        var exception = Assert.Throws<EcrPushException>(() => EngineTarget.Resolve(null, new EngineOptions(), _environment));

        Assert.Contains("The Docker context 'lax' (from currentContext in", exception.Message, StringComparison.Ordinal);
        Assert.Contains("SkipTLSVerify", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_TCP_to_another_machine_warns_once_that_the_token_would_travel_unencrypted_and_loopback_does_not()
    {
        var remote = new Uri($"tcp://10.{System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, 250)}.{System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, 250)}.7:2375");

        DockerEngine.Connect(remote, new EngineOptions(), _environment, _log);
        DockerEngine.Connect(remote, new EngineOptions(), _environment, _log);
        DockerEngine.Connect(new Uri("tcp://127.0.0.1:2375"), new EngineOptions(), _environment, _log);

        var warning = Assert.Single(_log.Lines);
        Assert.StartsWith($"WRN The Docker engine at {remote} (from the DockerHost setting) is reached over plain TCP: the registry token (valid 12 hours) would travel unencrypted", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireDockerTls_refuses_plain_TCP_to_another_machine_and_the_settings_win_over_the_variables()
    {
        _environment["DOCKER_TLS_VERIFY"] = "1";
        var remote = new Uri("tcp://10.9.8.7:2375");

        var exception = Assert.Throws<EcrPushException>(() => DockerEngine.Connect(remote, new EngineOptions(TlsVerify: false, RequireTls: true), _environment, _log));

        Assert.Contains($"The Docker engine at {remote} (from the DockerHost setting) is reached over plain TCP, and RequireDockerTls is on", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_log.Lines);
        var withTls = EngineTarget.Resolve(remote, new EngineOptions(TlsVerify: true, CertPath: _home), _environment);
        Assert.Equal($"the DockerCertPath setting, {_home}", withTls.Tls?.Source);
    }

    [Fact]
    public void DockerHost_and_DockerContext_together_are_a_settings_error()
    {
        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(new EcrPushSettings()
            .SetSourceImageName("web").SetRepositoryName("team/web").SetDockerHost("tcp://docker:2376").SetDockerContext("ci")));

        Assert.Contains("DockerHost 'tcp://docker:2376' and DockerContext 'ci' are both set: set one", exception.Message, StringComparison.Ordinal);
    }
}

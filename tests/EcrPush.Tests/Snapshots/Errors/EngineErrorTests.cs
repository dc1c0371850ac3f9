using System.Security.Cryptography;
using System.Text;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Docker;
using Ecr.Internal.Sources;
using Ecr.Tests.Fakes;
using Ecr.Tests.Readme;

namespace Ecr.Tests.Snapshots.Errors;

/// <summary>
/// What the engine adapter says, one snapshot per failure: the real adapter (Docker.DotNet) against an engine API on a
/// socket of the test's (<see cref="FakeEngineSocket"/>) that answers as dockerd does, under the push's own steps where
/// the push adds to the text; and where the engine is found, from the settings, the variables and the Docker CLI's
/// files written here. The README's producers of the same failures (<see cref="ReadmeErrorsTests"/>) are pinned whole.
/// </summary>
public sealed class EngineErrorTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string PushedDigest = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    private readonly string _scratch = Directory.CreateTempSubdirectory("ecrpush-engine-errors-").FullName;
    private readonly FakeEnvironment _environment = new();
    private readonly FakeEcr _ecr = new();

    public EngineErrorTests()
    {
        _environment.HomeDirectory = _scratch;
        _ecr.AddRepository("team/web");
        _ecr.AddRepository("team/web", region: "eu-west-1");
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static readonly Dictionary<string, Func<EngineErrorTests, Task>> Failures = new(StringComparer.Ordinal)
    {
        ["Image_not_in_the_engine_which_has_other_tags_of_it"] = t => t.PushAsync(Answers(inspect: (404, """{"message":"No such image: web:1.4.2"}"""), list: """[{"Id":"sha256:aaaa","RepoTags":["web:1.4.1","web:latest"]},{"Id":"sha256:bbbb","RepoTags":["webapp:1.4.2"]}]""")),
        ["Image_ID_not_in_the_engine"] = t => t.PushAsync(Answers(list: """[{"Id":"sha256:ffff0000","RepoTags":["other:1"]}]"""), ById()),
        ["Image_ID_of_several_images"] = t => t.PushAsync(Answers(list: $$"""[{"Id":"{{ImageId}}","RepoTags":["web:1.4.2"]},{"Id":"sha256:0123456789abffffffffffffffffffffffffffffffffffffffffffffffffffff","RepoTags":[]}]"""), ById()),
        ["Engine_could_not_tag_the_image"] = t => t.PushAsync(Answers(tag: (500, """{"message":"write /var/lib/docker/image/overlay2/repositories.json: no space left on device"}"""))),
        ["Engine_refused_to_push"] = t => t.PushAsync(Answers(push: (500, """{"message":"Get \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/\": dial tcp: lookup 123456789012.dkr.ecr.us-east-1.amazonaws.com: no such host"}"""))),
        ["Push_ended_without_a_digest"] = t => t.PushAsync(Answers(push: (200, """{"status":"The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web]"}""" + "\n"))),
        ["Push_refused_by_the_registry_so_the_second_destination_gets_no_copy"] = t => t.PushAsync(Answers(push: (200, RefusedPush)), s => s.SetRegion("us-east-1").SetDestinations(new EcrDestination("eu-west-1"))),
        ["Push_silent_past_the_inactivity_limit"] = t => t.SilentPushAsync(),
        ["README_engine_not_answering"] = _ => ReadmeAsync(readme => readme.EngineNotAnsweringAsync()),
        ["README_engine_certificate_of_another_authority"] = _ => ReadmeAsync(readme => readme.EngineTlsOfAnotherAuthorityAsync()),
        ["README_image_not_in_the_engine"] = _ => ReadmeAsync(readme => readme.ImageNotInEngineAsync()),
        ["README_push_refused_by_the_registry"] = _ => ReadmeAsync(readme => readme.RegistryRefusedPushAsync()),
        ["Plain_TCP_with_RequireDockerTls"] = t => t.Connect(new Uri("tcp://10.9.8.7:2375"), new EngineOptions(RequireTls: true)),
        ["DOCKER_HOST_not_a_URI"] = t => t.Connect(("DOCKER_HOST", "tcp://docker internal:2375")),
        ["Docker_config_not_JSON"] = t => t.Connect(t.DockerConfig("""{"currentContext": "ci",""")),
        ["Docker_context_not_there"] = t => t.Connect(("DOCKER_CONTEXT", "ci")),
        ["Docker_context_not_readable"] = t => t.Connect(t.DockerContext("ci", """{"Name":"ci","Endpoints":{}}""")),
        ["Docker_context_without_an_engine_host"] = t => t.Connect(t.DockerContext("ci", """{"Name":"ci","Endpoints":{"docker":{"Host":"docker.internal"}}}""")),
        ["Docker_context_that_turns_TLS_verification_off"] = t => t.Connect(t.DockerContext("ci", """{"Name":"ci","Endpoints":{"docker":{"Host":"tcp://10.0.0.5:2376","SkipTLSVerify":true}}}""")),
        ["TLS_client_certificate_without_its_key"] = t => t.TlsLookupAsync(("cert.pem", "-----BEGIN CERTIFICATE-----")),
        ["TLS_authority_file_not_readable"] = t => t.TlsLookupAsync(("ca.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")),
        ["TLS_authority_file_without_a_certificate"] = t => t.TlsLookupAsync(("ca.pem", "not a certificate")),
        ["TLS_client_certificate_not_readable"] = t => t.TlsLookupAsync(("cert.pem", "not a certificate"), ("key.pem", "not a key")),
    };

    public static TheoryData<string> FailureNames => new(Failures.Keys);

    [Theory]
    [MemberData(nameof(FailureNames))]
    public async Task Failure(string name)
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Failures[name](this));

        await Verify(exception.Message).UseTextForParameters(name);
    }

    /// <summary>The stream of a push whose registry refused the token: a status line, then the error, as dockerd writes them.</summary>
    private const string RefusedPush = """
        {"status":"The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web]"}
        {"errorDetail":{"message":"denied: Your authorization token has expired. Reauthenticate and try again."},"error":"denied: Your authorization token has expired. Reauthenticate and try again."}

        """;

    private const string PushedStream = $$$"""
        {"status":"The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web]"}
        {"status":"1.4.2: digest: {{{PushedDigest}}} size: 528"}
        {"progressDetail":{},"aux":{"Tag":"1.4.2","Digest":"{{{PushedDigest}}}","Size":528}}

        """;

    /// <summary>dockerd's answers for web:1.4.2, each of which a failure may replace; a status of 0 leaves the request unanswered.</summary>
    private static Func<string, string, (int Status, string Body)> Answers(
        (int Status, string Body)? inspect = null, string list = "[]", (int Status, string Body)? tag = null, (int Status, string Body)? push = null)
        => (method, path) =>
            path.Contains("/push", StringComparison.Ordinal) ? push ?? (200, PushedStream)
            : path.Contains("/tag", StringComparison.Ordinal) ? tag ?? (201, string.Empty)
            : method == "DELETE" ? (200, "[]")
            : path.Contains("/images/json", StringComparison.Ordinal) ? (200, list)
            : path.Contains("/images/", StringComparison.Ordinal) ? inspect ?? (200, $$"""{"Id":"{{ImageId}}","RepoTags":["web:1.4.2"]}""")
            : (404, """{"message":"page not found"}""");

    private static Func<EcrPushSettings, EcrPushSettings> ById() => s => s.ResetSourceImageName().SetSourceImageId("0123456789ab");

    /// <summary>web:1.4.2 pushed to team/web by the real adapter, the engine answering as <paramref name="answers"/> say, ECR and its registry fakes.</summary>
    private async Task PushAsync(Func<string, string, (int Status, string Body)> answers, Func<EcrPushSettings, EcrPushSettings>? change = null)
    {
        await using var engine = new FakeEngineSocket(Path.Combine(_scratch, "docker.sock"), answers);
        using var registry = new FakeRegistry();
        var settings = new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web").SetTargetTags("1.4.2");
        await new Pusher(_ecr, _ => DockerEngine.Connect(engine.Endpoint, new EngineOptions(), _environment), new TokenCache(_environment), _environment, new RecordingLog()) { RegistryHandler = () => registry, RetryPolicy = TestRegistries.NoWaits }
            .PushAsync((change ?? (s => s))(settings), CancellationToken.None);
    }

    /// <summary>The engine takes the push and reports nothing, as while it waits on a registry that stopped answering; the limit here is half a second.</summary>
    private Task SilentPushAsync()
    {
        _environment[DockerEngine.InactivityTimeoutVariable] = "0.5";
        return PushAsync(Answers(push: (0, string.Empty)));
    }

    private static async Task ReadmeAsync(Func<ReadmeErrorsTests, Task> produce)
    {
        using var readme = new ReadmeErrorsTests();
        await produce(readme);
    }

    /// <summary>The engine as the Docker CLI finds it with the variable set: its files are read, nothing is asked of it.</summary>
    private Task Connect((string Name, string Value) variable)
    {
        _environment[variable.Name] = variable.Value;
        return Connect(null, new EngineOptions());
    }

    private Task Connect(Uri? dockerHost, EngineOptions options)
    {
        DockerEngine.Connect(dockerHost, options, _environment);
        return Task.CompletedTask;
    }

    /// <summary>An engine over TLS with a folder of the given files (DockerCertPath): they are read when the engine is first asked something.</summary>
    private async Task TlsLookupAsync(params (string Name, string Content)[] files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, "certs")).FullName;
        foreach (var (name, content) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), content);
        }

        var engine = DockerEngine.Connect(new Uri("tcp://127.0.0.1:2376"), new EngineOptions(TlsVerify: true, CertPath: folder), _environment);
        await engine.FindImageAsync(new EngineImageSpec("web:1.4.2", IsId: false), CancellationToken.None);
    }

    private (string Name, string Value) DockerConfig(string json)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, ".docker")).FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        return ("DOCKER_CONFIG", folder);
    }

    /// <summary>A context as the Docker CLI stores it: meta/&lt;sha256 of its name&gt;/meta.json, chosen by DOCKER_CONTEXT.</summary>
    private (string Name, string Value) DockerContext(string name, string meta)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        var folder = Directory.CreateDirectory(Path.Combine(_scratch, ".docker", "contexts", "meta", id)).FullName;
        File.WriteAllText(Path.Combine(folder, "meta.json"), meta);
        return ("DOCKER_CONTEXT", name);
    }
}

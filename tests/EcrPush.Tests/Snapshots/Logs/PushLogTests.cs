using System.Globalization;
using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;
using Ecr.Tests.Readme;
using Ecr.Tests.Sources;

namespace Ecr.Tests.Snapshots.Logs;

/// <summary>
/// The log of a push, step by step, at Information and at Verbose: an engine image (the real adapter, its push stream
/// as dockerd writes it) and an OCI layout, each to one destination and to two, and a push that fails after one tag
/// landed. A push does its parts at once (the source and each destination, a few blobs at a time); to give the log one
/// order to pin, the test holds each part until the one before it has logged its last line (the fake ECR's connection
/// gate, the registry's hold on a blob's first request). The lines are the push's own; only their interleaving is chosen.
/// </summary>
public sealed class PushLogTests : IDisposable
{
    // An image of its own, so that no other test's blobs are known to this process's registries by the same digests.
    private const string ImageId = "sha256:1a2b3c4d5e6f00000000000000000000000000000000000000000000000000aa";
    private const string Host = FakeEcr.Host;

    private static readonly string EuHost = FakeEcr.HostOf("eu-west-1");

    private readonly FakeEcr _ecr = new();
    private readonly FakeRegistry _registry = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly TestLayout _layout = new();
    private readonly string _scratch = Directory.CreateTempSubdirectory("ecrpush-logs-").FullName;

    public PushLogTests()
    {
        _ecr.AddRepository("team/web");
        _ecr.AddRepository("team/web", region: "eu-west-1");
    }

    public void Dispose()
    {
        _registry.Dispose();
        _layout.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task An_engine_image_to_one_destination()
    {
        var result = await PushEngineImageAsync(Engine());

        Assert.Single(result.Destinations);
        await Verify(_log.AtInformationAndVerbose());
    }

    [Fact]
    public async Task An_engine_image_to_two_destinations()
    {
        var result = await PushEngineImageAsync(Engine().SetRegion("us-east-1").SetDestinations(new EcrDestination("eu-west-1")));

        Assert.Equal(["1.4.2", "latest"], _registry.Tags(EuHost, "team/web"));
        Assert.Equal(result.Destinations[0].Digest, result.Destinations[1].Digest);
        await Verify(_log.AtInformationAndVerbose());
    }

    [Fact]
    public async Task A_layout_to_one_destination()
    {
        await PushLayoutAsync(Layout());

        Assert.Equal(["1.4.2", "latest"], _registry.Tags(Host, "team/web"));
        await Verify(_log.AtInformationAndVerbose());
    }

    [Fact]
    public async Task A_layout_to_two_destinations()
    {
        await PushLayoutAsync(Layout().SetRegion("us-east-1").SetDestinations(new EcrDestination("eu-west-1")));

        Assert.Equal(["1.4.2", "latest"], _registry.Tags(EuHost, "team/web"));
        await Verify(_log.AtInformationAndVerbose());
    }

    /// <summary>The registry refuses the second tag: the log shows the first landed, the error says so.</summary>
    [Fact]
    public async Task A_layout_push_that_fails_after_one_tag_landed()
    {
        _registry.Intercept = request => request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.EndsWith("/manifests/latest", StringComparison.Ordinal)
            ? FakeRegistry.Error(System.Net.HttpStatusCode.Forbidden, "DENIED", "User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized to perform: ecr:PutImage")
            : null;

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushLayoutAsync(Layout()));

        Assert.Equal(["1.4.2"], _registry.Tags(Host, "team/web"));
        await Verify($"The error:\n{exception.Message}\n\n{_log.AtInformationAndVerbose()}");
    }

    private static EcrPushSettings Engine() => new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest");

    private EcrPushSettings Layout() => new EcrPushSettings().SetSourceOciLayout(_layout.Path).SetRepositoryName("team/web").SetTargetTags("1.4.2", "latest");

    /// <summary>
    /// web:1.4.2 in an engine on a socket of the test's, pushed by the real adapter: the engine's push stream says what
    /// dockerd says (a layer pushed in quarters, then already there for the second tag), and the image it "pushed" is in
    /// the first destination's registry, where a second destination's copy reads it.
    /// </summary>
    private async Task<EcrPushResult> PushEngineImageAsync(EcrPushSettings settings)
    {
        var digest = _registry.AddImage(Host, "team/web", "1.4.2", ImageId);
        var (bytes, _) = _registry.Manifest(Host, "team/web", digest)!.Value;
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(bytes)!;
        var config = (string)manifest["config"]!["digest"]!;
        var layer = (string)manifest["layers"]![0]!["digest"]!;
        var layerId = layer[7..19];
        await using var engine = new FakeEngineSocket(Path.Combine(_scratch, "docker.sock"), (method, path) =>
            path.Contains("/push", StringComparison.Ordinal) ? (200, PushStream(path.Contains("tag=latest", StringComparison.Ordinal) ? "latest" : "1.4.2", layerId, digest))
            : path.Contains("/tag", StringComparison.Ordinal) ? (201, string.Empty)
            : method == "DELETE" ? (200, "[]")
            : path.Contains("/images/", StringComparison.Ordinal) ? (200, $$"""{"Id":"{{ImageId}}","RepoTags":["web:1.4.2"]}""")
            : (404, """{"message":"page not found"}"""));

        _ecr.ConnectGate = region => region == "us-east-1" ? _log.Logged(line => line.StartsWith("INF Found", StringComparison.Ordinal)) : _log.Logged(line => line.StartsWith($"VRB {Host} has no signing configuration", StringComparison.Ordinal));
        OneBlobAtATime(writers: [EuHost], config, layer);
        return await Pusher(_ => DockerEngine.Connect(engine.Endpoint, new EngineOptions(), _environment, _log)).PushAsync(settings, CancellationToken.None);
    }

    /// <summary>The stream of one tag's push, as dockerd writes it: the first pushes the layer in quarters, the second finds it there.</summary>
    private static string PushStream(string tag, string layerId, string digest)
    {
        var lines = new List<string> { """{"status":"The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web]"}""", $$"""{"status":"Preparing","progressDetail":{},"id":"{{layerId}}"}""" };
        if (tag == "1.4.2")
        {
            lines.Add($$"""{"status":"Waiting","progressDetail":{},"id":"{{layerId}}"}""");
            foreach (var sent in new[] { 0, 262_144, 524_288, 1_048_576, 2_097_152, 3_145_728, 4_194_304 })
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $$"""{"status":"Pushing","progressDetail":{"current":{{sent}},"total":4194304},"id":"{{layerId}}"}"""));
            }

            lines.Add($$"""{"status":"Pushed","progressDetail":{},"id":"{{layerId}}"}""");
        }
        else
        {
            lines.Add($$"""{"status":"Layer already exists","progressDetail":{},"id":"{{layerId}}"}""");
        }

        lines.Add($$"""{"status":"{{tag}}: digest: {{digest}} size: 528"}""");
        lines.Add($$$"""{"progressDetail":{},"aux":{"Tag":"{{{tag}}}","Digest":"{{{digest}}}","Size":528}}""");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>A layout of one image (a config and a layer), pushed; the second destination opens once the first is done (its last step, the signing report, logged).</summary>
    private async Task PushLayoutAsync(EcrPushSettings settings)
    {
        var (manifest, config) = _layout.ManifestWithConfig(withMediaType: true, layerText: "the layer of the log's own image");
        _layout.Entry(manifest, TestLayout.OciManifest, refName: null);
        await _layout.WriteIndexAsync();
        var layer = TestLayout.Digest(System.Text.Encoding.UTF8.GetBytes("the layer of the log's own image"));

        _ecr.ConnectGate = region => region == "us-east-1" ? _log.Logged(line => line.StartsWith("INF Read", StringComparison.Ordinal)) : _log.Logged(line => line.StartsWith($"VRB {Host} has no signing configuration", StringComparison.Ordinal));
        OneBlobAtATime(writers: [Host, EuHost], config, layer);
        await Pusher(_ => throw new InvalidOperationException("A layout is pushed without an engine.")).PushAsync(settings, CancellationToken.None);
    }

    /// <summary>
    /// Holds each blob's first request (its HEAD) until the blob before it in <paramref name="order"/> is logged as done
    /// in that registry: the writer's lines for the n-th of the <paramref name="writers"/> (which write one after the other) are its n-th.
    /// </summary>
    private void OneBlobAtATime(string[] writers, params string[] order)
        => _registry.BeforeAnswer = async (request, ct) =>
        {
            var i = request.Method == HttpMethod.Head ? Array.IndexOf(order, request.RequestUri!.AbsolutePath.Split('/')[^1]) : -1;
            if (i > 0)
            {
                await _log.Logged(line => line.StartsWith($"VRB {order[i - 1][..19]}: ", StringComparison.Ordinal), times: Array.IndexOf(writers, request.RequestUri!.Host) + 1).WaitAsync(ct);
            }
        };

    private Pusher Pusher(Func<PushPlan, IDockerEngine> engine)
        => new(_ecr, engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };
}

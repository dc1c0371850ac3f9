using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Ecr.IntegrationTests.Reliability;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;
using static Ecr.IntegrationTests.Referrers.ReferrerChecks;

namespace Ecr.IntegrationTests.Referrers;

/// <summary>
/// Referrers against ECR's registry as <see cref="EcrRegistryFront"/> answers before the real registry, one behaviour
/// switched on per test: the referrers API (the registry lists them, no tag is written), <c>OCI-Subject</c> sent where the
/// API is not served (the tag schema is written all the same), and the refusal of a media type with parameters (which
/// the settings check refuses before any request).
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EcrFrontReferrerTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task Where_the_registry_serves_the_referrers_API_it_lists_the_SBOM_and_no_tag_is_written()
    {
        var (layout, sbom) = await InputsAsync("api");
        var repository = StackChecks.NewRepository("api");
        await using var front = new EcrRegistryFront(Stack, Region) { ServesReferrersApi = true };

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).AddAttachments(sbom));

        var referrer = Assert.Single(result.FirstDestination.Referrers);
        Assert.Equal([referrer.Digest], front.Referrers(repository, result.Digest));
        Assert.Contains(front.Requests, r => r.Method == "GET" && r.Target == $"/v2/{repository}/referrers/{result.Digest}" && r.Status == 200);
        Assert.Empty(await TagSchemaAsync(Stack, Region, repository, result.Digest));
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
    }

    [Fact]
    public async Task An_OCI_Subject_header_from_a_registry_without_the_API_is_not_taken_for_it_and_the_tag_schema_is_written()
    {
        var (layout, sbom) = await InputsAsync("quirk");
        var repository = StackChecks.NewRepository("quirk");
        await using var front = new EcrRegistryFront(Stack, Region) { SendsOciSubjectWithoutApi = true };

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).AddAttachments(sbom));

        var referrer = Assert.Single(result.FirstDestination.Referrers);
        Assert.Contains(front.Requests, r => r.Method == "GET" && r.Target == $"/v2/{repository}/referrers/{result.Digest}" && r.Status == 404);
        Assert.Equal([referrer.Digest], await TagSchemaAsync(Stack, Region, repository, result.Digest));
    }

    [Fact]
    public async Task A_media_type_with_parameters_is_refused_by_the_settings_check_before_the_registry_would_refuse_it()
    {
        var (layout, sbom) = await InputsAsync("params");
        var repository = StackChecks.NewRepository("params");
        await using var front = new EcrRegistryFront(Stack, Region) { RefusesMediaTypeParameters = true };
        const string Refused = "application/vnd.dev.sigstore.bundle+json;version=0.2";

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).AddAttachments(sbom with { ArtifactType = Refused })));

        Assert.StartsWith("The ECR push settings have a problem:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ECR refuses a media type with parameters", exception.Message, StringComparison.Ordinal);
        Assert.Empty(front.Requests);

        // What the registry does with such a manifest when a client sends it anyway.
        var empty = "{}"u8.ToArray();
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifest,
            ["artifactType"] = Refused,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["digest"] = Digest(empty), ["size"] = 2 },
            ["layers"] = new JsonArray(),
        };
        Assert.Equal(HttpStatusCode.BadRequest, await PutThroughAsync(front, $"/v2/{repository}/manifests/{Digest(Utf8(manifest))}", Utf8(manifest)));
        Assert.Equal(400, Assert.Single(front.Requests).Status);
    }

    private async Task<(string Layout, EcrAttachment Sbom)> InputsAsync(string name)
    {
        var folder = _folders.New(name);
        var layout = Path.Combine(folder, "oci");
        await TestLayout.WriteAsync(layout, "1", 32 * 1024);
        return (layout, Sbom(folder));
    }

    private Task<EcrPushResult> PushThroughAsync(EcrRegistryFront front, Func<EcrPushSettings, EcrPushSettings> configure)
        => SourceTools.PushAsync(Stack, front.EndPoint, configure(new EcrPushSettings().SetRegion(Region).EnableAutoCreateRepository()), handler => handler.PooledConnectionLifetime = TimeSpan.Zero);

    /// <summary>A manifest PUT straight through the front, with the registry's credentials, as another client would send it.</summary>
    private async Task<HttpStatusCode> PutThroughAsync(EcrRegistryFront front, string path, byte[] body)
    {
        using var authority = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(Stack.StateDirectory, "tls", "ca.crt")));
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
        trust.CustomTrustStore.Add(authority);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = trust },
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(front.EndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"https://{Stack.RegistryHost(Region)}{path}") { Content = new ByteArrayContent(body) };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(OciManifest);
        put.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{LocalEcrStack.RegistryPassword}")));
        using var response = await client.SendAsync(put);
        return response.StatusCode;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Ecr.TestStack;

// What a test asks the real parts directly, after a push: the registry's tags and manifests, the engine's images.
public sealed partial class LocalEcrStack
{
    // The manifest types a push makes, for a HEAD that must answer the digest the engine computed.
    private static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
    ];

    /// <summary>The tags the registry of <paramref name="region"/> holds for <paramref name="repository"/>, sorted; none when it has no such repository.</summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="repository">The repository name, e.g. <c>team/web</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The tags, in ordinal order.</returns>
    public async Task<IReadOnlyList<string>> RegistryTagsAsync(string region, string repository, CancellationToken cancellationToken = default)
    {
        using var client = CreateRegistryClient(region);
        using var response = await client.GetAsync(new Uri($"v2/{repository}/tags/list", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        return body.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? [.. tags.EnumerateArray().Select(tag => tag.GetString()!).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>The digest the registry of <paramref name="region"/> gives the manifest of <paramref name="repository"/>:<paramref name="tag"/> (its <c>Docker-Content-Digest</c>).</summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="repository">The repository name.</param>
    /// <param name="tag">The tag.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><c>sha256:…</c>.</returns>
    public async Task<string> ManifestDigestAsync(string region, string repository, string tag, CancellationToken cancellationToken = default)
    {
        using var client = CreateRegistryClient(region);
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"v2/{repository}/manifests/{tag}", UriKind.Relative));
        foreach (var mediaType in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Docker-Content-Digest").Single();
    }

    /// <summary>
    /// The referrers the registry of <paramref name="region"/> lists for <paramref name="subject"/>: its referrers API
    /// (<c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>, distribution-spec 1.1) where it serves one, else the index
    /// under the referrers tag schema's <c>sha256-&lt;hex&gt;</c> tag (docker-registry 2.8 has no such API); none when neither is there.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="repository">The repository name.</param>
    /// <param name="subject">The subject's manifest digest, <c>sha256:…</c>.</param>
    /// <param name="through">A test's front before the registry, to ask instead of the registry itself; <see langword="null"/>: the registry.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>Each referrer's digest and artifact type, in the registry's order, and which of the two listed them.</returns>
    public async Task<(IReadOnlyList<(string Digest, string ArtifactType)> Referrers, string ListedBy)> ReferrersAsync(string region, string repository, string subject, IPEndPoint? through = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        using var client = CreateRegistryClient(region, through);
        var (apiStatus, apiBody) = await GetIndexAsync(client, $"v2/{repository}/referrers/{subject}", cancellationToken).ConfigureAwait(false);
        if (apiStatus == HttpStatusCode.OK)
        {
            return (Listed(apiBody), "the referrers API");
        }

        var (tagStatus, tagBody) = await GetIndexAsync(client, $"v2/{repository}/manifests/sha256-{subject["sha256:".Length..]}", cancellationToken).ConfigureAwait(false);
        return tagStatus == HttpStatusCode.NotFound
            ? ([], "neither the referrers API nor the tag schema")
            : (Listed(tagBody), $"the tag schema (the referrers API answered {(int)apiStatus})");

        static IReadOnlyList<(string, string)> Listed(JsonElement index) =>
            [.. index.GetProperty("manifests").EnumerateArray().Select(entry => (
                entry.GetProperty("digest").GetString()!,
                entry.TryGetProperty("artifactType", out var type) ? type.GetString()! : ""))];
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetIndexAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.index.v1+json"));
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            return (response.StatusCode, default);
        }

        response.EnsureSuccessStatusCode();
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Pulls <paramref name="reference"/> (<c>host/repository:tag</c> or <c>host/repository@sha256:…</c>) from the
    /// registry of <paramref name="region"/> into the engine, with the registry credentials in the request (no
    /// <c>docker login</c>), and returns the image ID the engine gives it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="reference">What to pull.</param>
    /// <param name="cancellationToken">Cancels the pull.</param>
    /// <returns>The pulled image's ID, <c>sha256:…</c>.</returns>
    public async Task<string> PullBackAsync(string region, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        using var engine = ConnectEngine();
        string? error = null;
        var auth = new AuthConfig { ServerAddress = RegistryHost(region), Username = RegistryUser, Password = RegistryPassword };
        var parameters = reference.Contains('@', StringComparison.Ordinal)
            ? new ImagesCreateParameters { FromImage = reference }
            : new ImagesCreateParameters { FromImage = reference[..reference.LastIndexOf(':')], Tag = reference[(reference.LastIndexOf(':') + 1)..] };
        await engine.Images.CreateImageAsync(parameters, auth, new SyncProgress(message => error ??= message.Error?.Message), cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException($"Pulling {reference} from {RegistryHost(region)} failed: {error}");
        }

        var image = await engine.Images.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false);
        return image.ID;
    }

    /// <summary>Deletes an image from the engine, with every tag it has, so that what comes back afterwards can only come from a registry.</summary>
    /// <param name="image">An image ID or a reference.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Whether the engine still has an image of that ID or name afterwards (it should not).</returns>
    public async Task<bool> DeleteImageAsync(string image, CancellationToken cancellationToken = default)
    {
        using var engine = ConnectEngine();
        await engine.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true }, cancellationToken).ConfigureAwait(false);
        try
        {
            await engine.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    private DockerClient ConnectEngine()
    {
        ThrowIfDisposed();
        return new DockerClientBuilder().WithEndpoint(new Uri(DockerHost)).Build();
    }

    // Progress<T> would post the messages to the thread pool, after the pull has returned.
    private sealed class SyncProgress(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ecr.Tests.Fakes;

/// <summary>
/// An OCI distribution registry in memory, for any number of hosts, answering as docker-registry does where the push
/// depends on it (blob HEAD and GET, upload sessions with mounts, PATCH parts, PUT with the digest checked, manifest PUT
/// and GET), and as ECR does where the test says so (PATCH answered 201, mounts refused with 202, immutable tags refused
/// with TAG_INVALID, a password it takes). <see cref="Intercept"/> answers a request instead of it, for faults.
/// Every request is recorded with its answer's status.
/// </summary>
internal sealed partial class FakeRegistry : HttpMessageHandler
{
    private readonly ConcurrentDictionary<(string Host, string Repository, string Digest), byte[]> _blobs = new();
    private readonly ConcurrentDictionary<(string Host, string Repository, string Reference), (byte[] Bytes, string MediaType)> _manifests = new();
    private readonly ConcurrentDictionary<string, (string Host, string Repository, MemoryStream Data)> _uploads = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Method, string Host, string PathAndQuery, int Status, string? Authorization)> Requests { get; } = new();

    /// <summary>Each PATCH of an upload in parts, and each completing PUT: its Content-Range (null when none) and how many bytes its body had.</summary>
    public ConcurrentQueue<(string Method, string? ContentRange, long Length)> UploadBodies { get; } = new();

    /// <summary>Answers a request instead of the registry when it returns an answer; null lets the registry answer.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Intercept { get; set; }

    /// <summary>Runs before each request is answered, with the request's cancellation: a registry that waits, or a test that acts mid-push.</summary>
    public Func<HttpRequestMessage, CancellationToken, Task>? BeforeAnswer { get; set; }

    /// <summary>ECR's way: a PATCH is answered 201, not 202.</summary>
    public bool PatchAnswersCreated { get; set; }

    /// <summary>Whether a mount from another repository of the same host is done (201); otherwise 202 and a session, as ECR without BLOB_MOUNTING.</summary>
    public bool Mounts { get; set; } = true;

    /// <summary>Tags that are immutable, by <c>host/repository:tag</c>: a PUT onto one that exists is TAG_INVALID.</summary>
    public HashSet<string> ImmutableTags { get; } = new(StringComparer.Ordinal);

    /// <summary>The password the registry takes; null takes any.</summary>
    public string? Password { get; set; }

    public static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public bool HasBlob(string host, string repository, string digest) => _blobs.ContainsKey((host, repository, digest));

    public (byte[] Bytes, string MediaType)? Manifest(string host, string repository, string reference)
        => _manifests.TryGetValue((host, repository, reference), out var manifest) ? manifest : null;

    public IReadOnlyList<string> Tags(string host, string repository)
        => [.. _manifests.Keys.Where(k => k.Host == host && k.Repository == repository && !k.Reference.StartsWith("sha256:", StringComparison.Ordinal)).Select(k => k.Reference).Order(StringComparer.Ordinal)];

    public void AddBlob(string host, string repository, byte[] bytes) => _blobs[(host, repository, DigestOf(bytes))] = bytes;

    /// <summary>Makes the registry hold other bytes under a blob's digest: a blob damaged in storage, or on the way.</summary>
    public void Damage(string host, string repository, string digest, byte[] bytes) => _blobs[(host, repository, digest)] = bytes;

    /// <summary>Puts an image as an engine's push would: a config made from <paramref name="seed"/>, one layer, a Docker v2 manifest under the tag; returns its digest.</summary>
    public string AddImage(string host, string repository, string tag, string seed)
    {
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","seed":"{{{seed}}}","rootfs":{"type":"layers","diff_ids":[]}}""");
        var layer = Encoding.UTF8.GetBytes($"layer of {seed}");
        AddBlob(host, repository, config);
        AddBlob(host, repository, layer);
        var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":{{{config.Length}}},"digest":"{{{DigestOf(config)}}}"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{{{layer.Length}}},"digest":"{{{DigestOf(layer)}}}"}]}""");
        var digest = DigestOf(manifest);
        _manifests[(host, repository, tag)] = (manifest, "application/vnd.docker.distribution.manifest.v2+json");
        _manifests[(host, repository, digest)] = (manifest, "application/vnd.docker.distribution.manifest.v2+json");
        return digest;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (BeforeAnswer is { } before)
        {
            await before(request, cancellationToken);
        }

        var response = Intercept?.Invoke(request) ?? await AnswerAsync(request, uri, cancellationToken);
        response.RequestMessage = request;
        Requests.Enqueue((request.Method.Method, uri.Authority, uri.PathAndQuery, (int)response.StatusCode, request.Headers.Authorization?.ToString()));
        return response;
    }

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, Uri uri, CancellationToken cancellationToken)
    {
        var host = uri.Authority;
        if (Password is { } password && request.Headers.Authorization?.Parameter != Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{password}")))
        {
            return Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "authentication required");
        }

        if (UploadPath().Match(uri.AbsolutePath) is { Success: true } upload && _uploads.TryGetValue(upload.Groups["id"].Value, out var session))
        {
            return await ContinueUploadAsync(request, uri, upload.Groups["id"].Value, session, cancellationToken);
        }

        if (IsReferrersRequest(request, uri))
        {
            return ReferrersAnswer(host, uri);
        }

        var match = ApiPath().Match(uri.AbsolutePath);
        if (!match.Success)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var repository = match.Groups["repository"].Value;
        var rest = match.Groups["rest"].Value;
        switch (match.Groups["kind"].Value, request.Method.Method)
        {
            case ("blobs", "HEAD"):
                return _blobs.ContainsKey((host, repository, rest)) ? new HttpResponseMessage(HttpStatusCode.OK) : new HttpResponseMessage(HttpStatusCode.NotFound);
            case ("blobs", "GET"):
                return _blobs.TryGetValue((host, repository, rest), out var blob)
                    ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(blob) }
                    : Error(HttpStatusCode.NotFound, "BLOB_UNKNOWN", "blob unknown to registry");
            case ("blobs", "POST") when rest == "uploads/":
                return StartUpload(host, repository, uri);
            case ("manifests", "PUT"):
                return await PutManifestAsync(request, host, repository, rest, cancellationToken);
            case ("manifests", "GET"):
                if (!_manifests.TryGetValue((host, repository, rest), out var manifest))
                {
                    return Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", "manifest unknown");
                }

                var found = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(manifest.Bytes) };
                found.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
                found.Headers.Add("Docker-Content-Digest", DigestOf(manifest.Bytes));
                return found;
            default:
                return new HttpResponseMessage(HttpStatusCode.MethodNotAllowed);
        }
    }

    private HttpResponseMessage StartUpload(string host, string repository, Uri uri)
    {
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        if (query["mount"] is { } mount && query["from"] is { } from && Mounts && _blobs.TryGetValue((host, from, mount), out var existing))
        {
            _blobs[(host, repository, mount)] = existing;
            return new HttpResponseMessage(HttpStatusCode.Created);
        }

        var id = Guid.NewGuid().ToString("N");
        _uploads[id] = (host, repository, new MemoryStream());
        var started = new HttpResponseMessage(HttpStatusCode.Accepted);
        started.Headers.Location = new Uri($"/v2/{repository}/blobs/uploads/{id}", UriKind.Relative);
        return started;
    }

    private async Task<HttpResponseMessage> ContinueUploadAsync(HttpRequestMessage request, Uri uri, string id, (string Host, string Repository, MemoryStream Data) session, CancellationToken cancellationToken)
    {
        var before = session.Data.Length;
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(session.Data, cancellationToken);
        }

        UploadBodies.Enqueue((request.Method.Method, request.Content?.Headers.TryGetValues("Content-Range", out var range) == true ? range.Single() : null, session.Data.Length - before));

        if (request.Method == HttpMethod.Patch)
        {
            var patched = new HttpResponseMessage(PatchAnswersCreated ? HttpStatusCode.Created : HttpStatusCode.Accepted);
            patched.Headers.Location = new Uri($"/v2/{session.Repository}/blobs/uploads/{id}", UriKind.Relative);
            return patched;
        }

        var digest = System.Web.HttpUtility.ParseQueryString(uri.Query)["digest"];
        var bytes = session.Data.ToArray();
        _uploads.TryRemove(id, out _);
        if (digest is null || DigestOf(bytes) != digest)
        {
            return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content");
        }

        _blobs[(session.Host, session.Repository, digest)] = bytes;
        return new HttpResponseMessage(HttpStatusCode.Created);
    }

    private async Task<HttpResponseMessage> PutManifestAsync(HttpRequestMessage request, string host, string repository, string reference, CancellationToken cancellationToken)
    {
        var bytes = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        if (ImmutableTags.Contains($"{host}/{repository}:{reference}") && _manifests.ContainsKey((host, repository, reference)))
        {
            return Error(HttpStatusCode.BadRequest, "TAG_INVALID", $"The image tag '{reference}' already exists in the '{repository}' repository and cannot be overwritten because the repository is immutable.");
        }

        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        foreach (var digest in Referenced(document.RootElement))
        {
            if (!_blobs.ContainsKey((host, repository, digest)) && !_manifests.ContainsKey((host, repository, digest)))
            {
                return Error(HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN", $"blob unknown to registry: {digest}");
            }
        }

        var mediaType = request.Content.Headers.ContentType!.MediaType!;
        _manifests[(host, repository, reference)] = (bytes, mediaType);
        _manifests[(host, repository, DigestOf(bytes))] = (bytes, mediaType);
        var created = new HttpResponseMessage(HttpStatusCode.Created);
        created.Headers.Add("Docker-Content-Digest", DigestOf(bytes));
        AddSubjectHeader(created, document.RootElement);
        return created;
    }

    private static IEnumerable<string> Referenced(System.Text.Json.JsonElement manifest)
    {
        if (manifest.TryGetProperty("config", out var config))
        {
            yield return config.GetProperty("digest").GetString()!;
        }

        foreach (var property in new[] { "layers", "manifests" })
        {
            if (manifest.TryGetProperty(property, out var list))
            {
                foreach (var entry in list.EnumerateArray())
                {
                    yield return entry.GetProperty("digest").GetString()!;
                }
            }
        }
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message) => new(status)
    {
        Content = new StringContent($$"""{"errors":[{"code":"{{code}}","message":{{System.Text.Json.JsonSerializer.Serialize(message)}}}]}""", Encoding.UTF8, "application/json"),
    };

    [GeneratedRegex(@"\A/v2/(?<repository>.+)/(?<kind>blobs|manifests)/(?<rest>.+)\z")]
    private static partial Regex ApiPath();

    [GeneratedRegex(@"\A/v2/.+/blobs/uploads/(?<id>[0-9a-f]{32})\z")]
    private static partial Regex UploadPath();
}

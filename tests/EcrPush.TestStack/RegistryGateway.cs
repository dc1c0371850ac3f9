using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// What makes one docker-registry behave like the registry of an ECR region where a push depends on it. It owns the
/// registry's public address (the real ECR host name, TLS with the stack's certificate) and passes every request to
/// the docker-registry behind it (plain HTTP on a loopback address only it knows), with two differences, both as
/// ECR's registry does them and both before the client gets its answer, so that an ECR API call right after a push
/// sees its result:
/// <list type="bullet">
/// <item><description>a manifest PUT onto a tag that exists in a repository where that tag is immutable (IMMUTABLE,
/// or a <c>*_WITH_EXCLUSION</c> mutability whose filters make it so) is refused, with ECR's answer, and never reaches
/// the registry; also when the tag already holds that very manifest, as ECR refuses it too;</description></item>
/// <item><description>a manifest that the registry accepted under a tag is recorded in the ECR API (moto's PutImage,
/// with the registry's digest), so that DescribeImages and BatchGetImage list every push.</description></item>
/// <item><description>the other way round, a PutImage through the ECR API (which <see cref="EcrApiGateway"/> hands
/// here) writes the manifest into the registry before moto records it, so that the tag is pullable at once, as ECR's
/// shared storage makes it (RegistryGateway.PutImage.cs).</description></item>
/// </list>
/// A push into a repository that the ECR API does not know passes unrecorded (ECR would refuse it; the benchmark's
/// programs create their repositories in an ECR API of their own). Manifest PUTs into one repository take turns, so
/// that the check and the write are one step, as in ECR. Each request gets its own connection to the registry, with
/// <c>Connection: close</c>, so a client that keeps connections alive opens a new one for its next request and every
/// request is seen here. Chunked manifest uploads are not supported (411): Docker, skopeo and HttpClient send a length.
/// </summary>
internal sealed partial class RegistryGateway : IAsyncDisposable
{
    private const long MaxManifestBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] HopByHopHeaders = ["Connection", "Keep-Alive", "Proxy-Connection", "X-Forwarded-Proto", "X-Forwarded-Host"];
    private static readonly KeyValuePair<string, string>[] ForwardedHeaders =
    [
        // The registry builds the Location of an upload from these: https and the ECR host name, as the client used.
        new("X-Forwarded-Proto", "https"),
        new("Connection", "close"),
    ];

    private readonly string _region;
    private readonly IPEndPoint _registry;
    private readonly X509Certificate2 _certificate;
    private readonly IEcrRecords _ecr;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _manifestTurns = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RegistryRequest> _requests = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConnectionLoop _loop;

    public RegistryGateway(string region, IPEndPoint listen, IPEndPoint registry, X509Certificate2 certificate, IEcrRecords ecr, Action<string> log)
    {
        _region = region;
        _registry = registry;
        _certificate = certificate;
        _ecr = ecr;
        _log = log;
        _loop = new ConnectionLoop(listen, HandleAsync);
    }

    /// <summary>Every request answered so far, in the order their answers went out.</summary>
    public IReadOnlyList<RegistryRequest> Requests => [.. _requests];

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync().ConfigureAwait(false);
        _certificate.Dispose();
        foreach (var turn in _manifestTurns.Values)
        {
            turn.Dispose();
        }
    }

    /// <summary>Whether ECR refuses to move <paramref name="tag"/> in a repository of this mutability and these exclusion filters.</summary>
    internal static bool IsTagImmutable(string? mutability, IReadOnlyList<string> exclusionFilters, string tag)
    {
        var excluded = exclusionFilters.Any(filter => Regex.IsMatch(
            tag, "^" + Regex.Escape(filter).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        return mutability switch
        {
            "IMMUTABLE" => true,
            "IMMUTABLE_WITH_EXCLUSION" => !excluded,
            "MUTABLE_WITH_EXCLUSION" => excluded,
            _ => false,
        };
    }

    // /v2/<name>/manifests/<reference>: a name has path components; a reference is a tag or a digest.
    [GeneratedRegex("^/v2/(?<name>.+)/manifests/(?<reference>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ManifestPath();

    private static async Task WriteAnswerAsync(Stream client, int status, string reason, string json, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await client.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await client.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await client.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The status code of a response that starts in <paramref name="bytes"/>; 0 when it cannot be read.</summary>
    private static int StatusOf(ReadOnlySpan<byte> bytes)
    {
        // "HTTP/1.1 201 Created"
        return bytes.Length >= 12 && int.TryParse(bytes[9..12], NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : 0;
    }

    private static string? ResponseHeader(byte[] response, string name)
    {
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.Latin1.GetString(response, 0, end < 0 ? response.Length : end);
        return head.Split("\r\n").Skip(1)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && string.Equals(parts[0].Trim(), name, StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
    }

    private async Task HandleAsync(Socket client)
    {
        client.NoDelay = true;
        var tls = new SslStream(new NetworkStream(client, ownsSocket: false));
        await using (tls.ConfigureAwait(false))
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_loop.Stopping))
            {
                handshake.CancelAfter(HandshakeTimeout);
                try
                {
                    await tls.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions { ServerCertificate = _certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] },
                        handshake.Token).ConfigureAwait(false);
                }
                catch (System.Security.Authentication.AuthenticationException)
                {
                    // A client that does not trust the stack's authority: nothing to serve.
                    return;
                }
            }

            var head = await HttpRequestHead.ReadAsync(tls, _loop.Stopping).ConfigureAwait(false);
            if (head is null)
            {
                return;
            }

            var manifest = ManifestPath().Match(head.Path);

            // ECR's own doings of 2025 before the registry answers (RegistryGateway.Storage.cs): a repository a creation
            // template makes on push, and an archived image's manifest, which ECR serves to no pull.
            await CreateOnPushAsync(head, _loop.Stopping).ConfigureAwait(false);
            var status = await ArchivedAsync(tls, head, manifest, _loop.Stopping).ConfigureAwait(false)
                ?? (head.Method == "PUT" && manifest.Success && !manifest.Groups["reference"].Value.Contains(':', StringComparison.Ordinal)
                    ? await PutManifestAsync(tls, head, manifest.Groups["name"].Value, manifest.Groups["reference"].Value).ConfigureAwait(false)
                    : await ForwardAsync(tls, head).ConfigureAwait(false));
            _requests.Enqueue(new RegistryRequest(head.Method, head.Target, status, _clock.Elapsed));
            try
            {
                await tls.ShutdownAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The client has gone already.
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The returned stream owns the socket.")]
    private async Task<Stream> ConnectRegistryAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_registry, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Passes one request through as it is (a layer's bytes stream through), and the answer back; returns its status.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2025:Ensure tasks using IDisposable instances complete before the instances are disposed", Justification = "The copy is awaited in the finally block, before the streams go.")]
    private async Task<int> ForwardAsync(SslStream client, HttpRequestHead head)
    {
        var registry = await ConnectRegistryAsync(_loop.Stopping).ConfigureAwait(false);
        await using (registry.ConfigureAwait(false))
        {
            await registry.WriteAsync(head.Rewrite(HopByHopHeaders, ForwardedHeaders), _loop.Stopping).ConfigureAwait(false);
            await registry.WriteAsync(head.BodyStart, _loop.Stopping).ConfigureAwait(false);

            using var done = CancellationTokenSource.CreateLinkedTokenSource(_loop.Stopping);
            var up = UploadAsync(client, registry, done.Token);
            var status = 0;
            var buffer = new byte[64 * 1024];
            try
            {
                // The registry closes after its answer (Connection: close): the answer ends there.
                int read;
                while ((read = await registry.ReadAsync(buffer, _loop.Stopping).ConfigureAwait(false)) > 0)
                {
                    if (status == 0)
                    {
                        status = StatusOf(buffer.AsSpan(0, read));
                    }

                    await client.WriteAsync(buffer.AsMemory(0, read), _loop.Stopping).ConfigureAwait(false);
                }

                await client.FlushAsync(_loop.Stopping).ConfigureAwait(false);
            }
            finally
            {
                await done.CancelAsync().ConfigureAwait(false);
                try
                {
                    await up.ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    // The request's body was still coming when the answer ended it (or the client left).
                }
            }

            return status;
        }
    }

    /// <summary>
    /// The request's body, client to registry. A client that leaves before the answer (a reset mid-upload) leaves the
    /// registry the same way: its connection is closed, as it would be by the client itself without the gateway.
    /// </summary>
    private static async Task UploadAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException && !cancellationToken.IsCancellationRequested)
        {
            // Gone: fall through to closing the registry's side.
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            await to.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A manifest PUT by tag: ECR's immutability check, the write, and its record in the ECR API, as one step per repository.</summary>
    private async Task<int> PutManifestAsync(SslStream client, HttpRequestHead head, string repository, string tag)
    {
        var stopping = _loop.Stopping;
        if (!long.TryParse(head.Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxManifestBytes)
        {
            await WriteAnswerAsync(client, 411, "Length Required", """{"errors":[{"code":"UNSUPPORTED","message":"the stack's registry gateway takes manifests with a Content-Length of at most 4 MiB"}]}""", stopping).ConfigureAwait(false);
            return 411;
        }

        var manifest = new byte[length];
        var have = Math.Min(head.BodyStart.Length, (int)length);
        head.BodyStart[..have].CopyTo(manifest);
        await client.ReadExactlyAsync(manifest.AsMemory(have), stopping).ConfigureAwait(false);

        var turn = _manifestTurns.GetOrAdd(repository, static _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            var known = await DescribeRepositoryAsync(repository, stopping).ConfigureAwait(false);
            if (known is { } mutability && IsTagImmutable(mutability.TagMutability, mutability.ExclusionFilters, tag) &&
                await TagExistsAsync(repository, tag, stopping).ConfigureAwait(false))
            {
                // ECR's registry answers a PUT onto an existing immutable tag with the distribution error TAG_INVALID
                // (HTTP 400, the code's status in the distribution spec) and this message, which Docker shows as
                // "tag invalid: The image tag '…' already exists in the '…' repository and cannot be overwritten
                // because the repository is immutable." (moby/buildkit#3776, aws/containers-roadmap#862); for a tag
                // made immutable by exclusion filters it says "because the tag is immutable"
                // (osscontainertools/kaniko#204). The same image again is refused too (aws/containers-roadmap#2179:
                // ImageTagAlreadyExistsException "even when the digest has not changed").
                var because = mutability.TagMutability == "IMMUTABLE" ? "the repository is immutable" : "the tag is immutable";
                var message = $"The image tag '{tag}' already exists in the '{repository}' repository and cannot be overwritten because {because}.";
                await WriteAnswerAsync(client, 400, "Bad Request", new JsonObject
                {
                    ["errors"] = new JsonArray(new JsonObject { ["code"] = "TAG_INVALID", ["message"] = message }),
                }.ToJsonString(), stopping).ConfigureAwait(false);
                _log($"{_region}: refused PUT {head.Path}: {message}");
                return 400;
            }

            var response = await PutToRegistryAsync(head, manifest, stopping).ConfigureAwait(false);
            var status = StatusOf(response);
            if (status == 201 && known is not null)
            {
                var digest = ResponseHeader(response, "Docker-Content-Digest");
                if (digest is not null)
                {
                    // ECR restores an archived image that is pushed again, at once.
                    State?.Revive(_region, repository, digest);
                }

                var mediaType = head.Header("Content-Type")?.Split(';')[0].Trim();
                var problem = await RecordAsync(repository, tag, manifest, mediaType, digest, stopping).ConfigureAwait(false);
                if (problem is not null)
                {
                    // The registry holds it but the ECR API does not: a stand-in that disagrees with itself must say so loudly.
                    _log($"{_region}: the ECR API did not record {repository}:{tag}: {problem}");
                    await WriteAnswerAsync(client, 500, "Internal Server Error", new JsonObject
                    {
                        ["errors"] = new JsonArray(new JsonObject { ["code"] = "UNKNOWN", ["message"] = $"LocalEcrStack: the ECR API did not record the manifest: {problem}" }),
                    }.ToJsonString(), stopping).ConfigureAwait(false);
                    return 500;
                }
            }
            else if (status == 201)
            {
                _log($"{_region}: {repository}:{tag} pushed to a repository the ECR API does not know; not recorded");
            }

            await client.WriteAsync(response, stopping).ConfigureAwait(false);
            await client.FlushAsync(stopping).ConfigureAwait(false);
            return status;
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task<byte[]> PutToRegistryAsync(HttpRequestHead head, byte[] manifest, CancellationToken cancellationToken)
    {
        var registry = await ConnectRegistryAsync(cancellationToken).ConfigureAwait(false);
        await using (registry.ConfigureAwait(false))
        {
            await registry.WriteAsync(head.Rewrite(HopByHopHeaders, ForwardedHeaders), cancellationToken).ConfigureAwait(false);
            await registry.WriteAsync(manifest, cancellationToken).ConfigureAwait(false);
            using var response = new MemoryStream();
            await registry.CopyToAsync(response, cancellationToken).ConfigureAwait(false);
            return response.ToArray();
        }
    }

    private async Task<(string? TagMutability, IReadOnlyList<string> ExclusionFilters)?> DescribeRepositoryAsync(string repository, CancellationToken cancellationToken)
    {
        var (error, body) = await _ecr.CallAsync(
            _region, "DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray(repository) }, cancellationToken).ConfigureAwait(false);
        if (error == "RepositoryNotFoundException")
        {
            return null;
        }

        if (error is not null || !body.TryGetProperty("repositories", out var repositories) || repositories.GetArrayLength() == 0)
        {
            throw new InvalidOperationException($"LocalEcrStack: DescribeRepositories of {repository} failed: {error} {body}");
        }

        var found = repositories[0];
        var mutability = found.TryGetProperty("imageTagMutability", out var value) ? value.GetString() : "MUTABLE";
        IReadOnlyList<string> filters = found.TryGetProperty("imageTagMutabilityExclusionFilters", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(filter => filter.TryGetProperty("filter", out var text) ? text.GetString() : null).OfType<string>()]
            : [];
        return (mutability, filters);
    }

    private async Task<bool> TagExistsAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        var (error, body) = await _ecr.CallAsync(_region, "BatchGetImage", new JsonObject
        {
            ["repositoryName"] = repository,
            ["imageIds"] = new JsonArray(new JsonObject { ["imageTag"] = tag }),
        }, cancellationToken).ConfigureAwait(false);
        return error is null
            ? body.TryGetProperty("images", out var images) && images.GetArrayLength() > 0
            : throw new InvalidOperationException($"LocalEcrStack: BatchGetImage of {repository}:{tag} failed: {error} {body}");
    }

    /// <summary>PutImage with the registry's digest; null when recorded (or already recorded under that tag), else the problem.</summary>
    private async Task<string?> RecordAsync(string repository, string tag, byte[] manifest, string? mediaType, string? digest, CancellationToken cancellationToken)
    {
        var request = new JsonObject
        {
            ["repositoryName"] = repository,
            ["imageTag"] = tag,
            ["imageManifest"] = Encoding.UTF8.GetString(manifest),
        };
        if (mediaType is not null)
        {
            request["imageManifestMediaType"] = mediaType;
        }

        if (digest is not null)
        {
            request["imageDigest"] = digest;
        }

        var (error, body) = await _ecr.CallAsync(_region, "PutImage", request, cancellationToken).ConfigureAwait(false);

        // ImageAlreadyExists: this manifest holds this tag already (the same image pushed again to a mutable tag).
        return error is null or "ImageAlreadyExistsException" ? null : $"{error} {body}";
    }
}

/// <summary>One request that a stack's registry answered: its method, target, status, and when (since the stack started).</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Target">The request target, e.g. <c>/v2/team/web/manifests/1</c>.</param>
/// <param name="Status">The HTTP status of the answer; 0 when none could be read.</param>
/// <param name="At">When the answer went out.</param>
public sealed record RegistryRequest(string Method, string Target, int Status, TimeSpan At)
{
    /// <summary>Whether this uploaded blob bytes (a layer or a config): a PATCH or PUT under <c>/blobs/uploads/</c>.</summary>
    public bool IsBlobUpload => Method is "PATCH" or "PUT" && Target.Contains("/blobs/uploads/", StringComparison.Ordinal);

    /// <summary>Whether this started a blob upload (POST under <c>/blobs/uploads/</c>).</summary>
    public bool IsBlobUploadStart => Method == "POST" && Target.Contains("/blobs/uploads/", StringComparison.Ordinal);

    /// <summary>Whether this wrote a manifest.</summary>
    public bool IsManifestPut => Method == "PUT" && Target.Contains("/manifests/", StringComparison.Ordinal);
}

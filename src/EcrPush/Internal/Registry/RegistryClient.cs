using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>
/// The OCI distribution API as a push to ECR needs it: blob HEAD, upload (POST, then one monolithic PUT with the
/// digest), manifest PUT with its media type. Basic authentication with the ECR token on every request; the password is
/// held in the header value only, never logged. The host is the one the token names. A blob's bytes are hashed as they
/// go out, and the last bytes are held back when the hash does not match, so the registry never completes such an upload.
/// A request that goes <c>inactivityTimeout</c> without sending a byte or getting its answer is stopped (the engine path's
/// limit, ECRPUSH_PUSH_INACTIVITY_TIMEOUT): a registry, proxy or firewall that takes a request and never answers must not
/// hang a build. A blob over <see cref="PartedUploadThreshold"/> goes up in parts (RegistryClient.Upload.cs).
/// </summary>
internal sealed partial class RegistryClient(HttpClient http, string registryHost, string userName, string password, TimeSpan inactivityTimeout)
{
    private const int MaxErrorBodyLength = 400;

    private readonly AuthenticationHeaderValue _authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{password}")));
    private readonly Uri _base = new($"https://{registryHost}/v2/");

    public string RegistryHost { get; } = registryHost;

    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Head, $"{repository}/blobs/{digest}");
        using var watch = Watch(cancellationToken);
        using var response = await SendAsync(request, $"check the blob {digest} in {repository}", watch, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await FailureAsync(response, $"check the blob {digest} in {repository}", cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// Uploads one blob from its file: POST for an upload session (a mount from <paramref name="mountFrom"/> first, when
    /// given), then PUT of the whole file with <c>?digest=</c>. Returns true when the registry mounted it instead.
    /// </summary>
    public async Task<bool> UploadBlobAsync(string repository, BlobFile blob, CancellationToken cancellationToken, string? mountFrom = null)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (await StartUploadAsync(repository, blob.Digest, mountFrom, cancellationToken).ConfigureAwait(false) is not { } location)
        {
            return true;
        }

        if (blob.Size > PartedUploadThreshold)
        {
            await UploadInPartsAsync(repository, blob, location, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var file = new FileStream(blob.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await PutBlobAsync(repository, location, blob.Digest, progress => DigestCheckingStream.OfFile(file, blob, progress), cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// The PUT with <c>?digest=</c> that sends a whole blob and completes its upload. Each chunk read for the request
    /// pushes the inactivity limit back: a slow link that moves is not stopped, a silent one is. A body whose bytes do
    /// not match the digest fails before its last bytes go, and that, not the broken request, is the error.
    /// </summary>
    private async Task PutBlobAsync(string repository, Uri location, string digest, Func<Action, DigestCheckingStream> openBody, CancellationToken cancellationToken)
    {
        using var watch = Watch(cancellationToken);
        var body = openBody(() => watch.CancelAfter(inactivityTimeout));
        await using (body.ConfigureAwait(false))
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest));
            put.Headers.Authorization = _authorization;
            put.Content = new StreamContent(body, 1 << 16);
            put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            put.Content.Headers.ContentLength = body.Length;
            try
            {
                using var response = await SendAsync(put, $"upload {digest} to {repository}", watch, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw await FailureAsync(response, $"upload {digest} to {repository}", cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (body.Mismatch is { } mismatch && exception is not HttpRequestException { StatusCode: not null })
            {
                throw new EcrPushException(mismatch, exception);
            }

            if (body.Mismatch is { } late)
            {
                throw new EcrPushException(late);
            }
        }
    }

    /// <summary>PUTs a manifest or index under a tag or its digest, with its media type as Content-Type.</summary>
    public async Task PutManifestAsync(string repository, string reference, OciManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var request = Request(HttpMethod.Put, $"{repository}/manifests/{reference}");
        request.Content = new ByteArrayContent(manifest.Bytes);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        using var watch = Watch(cancellationToken);
        using var response = await SendAsync(request, $"put {manifest.Digest} as {repository}:{reference}", watch, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await FailureAsync(response, $"put the {(manifest.IsIndex ? "index" : "manifest")} {manifest.Digest} ({manifest.MediaType}) as {repository}:{reference}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether a failed attempt (an answer is an HttpRequestException with its status) may succeed when tried again: a 5xx, a 429, or a broken connection.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: { } status } => (int)status is >= 500 or 429,
        HttpRequestException => true,
        IOException or SocketException => true,
        _ => false,
    };

    private CancellationTokenSource Watch(CancellationToken cancellationToken)
    {
        var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watch.CancelAfter(inactivityTimeout);
        return watch;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationTokenSource watch, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watch.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EcrPushException(
                $"The registry {RegistryHost} was asked to {what} and went {inactivityTimeout.TotalSeconds:0.#} s without answering or taking a byte. " +
                $"The registry, or something between it and this build (a proxy, a firewall, a VPN), accepted the request and stopped answering. Push again; if it repeats, check the network path to {RegistryHost}. " +
                $"The limit is {Docker.DockerEngine.InactivityTimeoutVariable} (seconds, 0 for none). Anything not pushed yet was not; manifests go up last.",
                exception);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_base, path));
        request.Headers.Authorization = _authorization;
        return request;
    }

    private async Task<HttpRequestException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = method(response) ? string.Empty : await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > MaxErrorBodyLength)
        {
            body = body[..MaxErrorBodyLength] + "…";
        }

        var hint = (int)response.StatusCode switch
        {
            401 or 403 => " The registry refused the ECR token: check that the credentials may push to this repository (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability).",
            400 when body.Contains("TAG_INVALID", StringComparison.Ordinal) => " The tag exists and is immutable in this repository: push under a new tag.",
            400 or 405 or 415 when what.StartsWith("put the", StringComparison.Ordinal) => " The registry refused the manifest as it is: its media type or content is not one it takes.",
            _ => string.Empty,
        };
        return new HttpRequestException($"The registry {RegistryHost} answered {(int)response.StatusCode} {response.ReasonPhrase} when asked to {what}{(body.Length > 0 ? $": {body.Trim()}" : ".")}{hint}", inner: null, response.StatusCode);

        static bool method(HttpResponseMessage r) => r.RequestMessage?.Method == HttpMethod.Head;
    }
}

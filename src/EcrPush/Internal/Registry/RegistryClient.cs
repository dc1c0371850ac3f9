using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
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
        if (await StartUploadAsync(repository, blob, mountFrom, cancellationToken).ConfigureAwait(false) is not { } location)
        {
            return true;
        }

        if (blob.Size > PartedUploadThreshold)
        {
            await UploadInPartsAsync(repository, blob, location, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var file = new FileStream(blob.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            // Each chunk read for the request pushes the limit back: a slow link that moves is not stopped, a silent one is.
            using var watch = Watch(cancellationToken);
            var verifying = new VerifyingReadStream(file, blob, () => watch.CancelAfter(inactivityTimeout));
            using var put = new HttpRequestMessage(HttpMethod.Put, new Uri($"{location}{separator}digest={Uri.EscapeDataString(blob.Digest)}"));
            put.Headers.Authorization = _authorization;
            put.Content = new StreamContent(verifying, 1 << 16);
            put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            put.Content.Headers.ContentLength = blob.Size;
            try
            {
                using var response = await SendAsync(put, $"upload {blob.Digest} to {repository}", watch, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw await FailureAsync(response, $"upload {blob.Digest} to {repository}", cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (verifying.Mismatch is { } mismatch && exception is not HttpRequestException { StatusCode: not null })
            {
                throw new EcrPushException(mismatch, exception);
            }

            if (verifying.Mismatch is { } late)
            {
                throw new EcrPushException(late);
            }
        }

        return false;
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

    /// <summary>
    /// Reads a blob's file and hashes it; just before the bytes that complete the declared size go out, the hash is
    /// compared, and on a mismatch the read fails instead, so the request never completes.
    /// </summary>
    private sealed class VerifyingReadStream(Stream inner, BlobFile blob, Action progress) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public string? Mismatch { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => blob.Size;

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Check(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Check(ReadOnlySpan<byte> chunk)
        {
            progress();
            _hash.AppendData(chunk);
            _read += chunk.Length;
            if (_read > blob.Size || (chunk.Length == 0 && _read < blob.Size))
            {
                Mismatch = $"The blob file {blob.Path} changed while it was read: it is not {blob.Size} bytes as its manifest says. Write the image again. The image was not pushed.";
                throw new IOException(Mismatch);
            }

            if (_read == blob.Size && chunk.Length > 0 && Sha256.Of(_hash) is var actual && actual != blob.Digest)
            {
                Mismatch = $"The blob file {blob.Path} does not match its digest {blob.Digest} (its content is {actual}): the layout or archive is damaged. Write it again. The image was not pushed (its manifest never went up).";
                throw new IOException(Mismatch);
            }

            return chunk.Length;
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>
/// The upload of one blob, from any source (a file of a layout, a registry's GET): a mount attempt when the blob is known
/// in another repository of this registry, else an upload session; then one PUT with the digest, or, above
/// <see cref="PartedUploadThreshold"/>, PATCH parts of <see cref="UploadPartSize"/> and a PUT with the digest and no body,
/// so that no single request carries a whole multi-hundred-megabyte layer through proxies and load balancers that bound
/// a request's size or duration. What ECR does differently from the distribution spec, and how it is met here:
/// <list type="bullet">
/// <item><description>every part but the last must be at least 5 MiB (<c>LayerPartTooSmallException</c>,
/// dotnet/sdk-container-builds#424): parts are 16 MiB, only the last is shorter;</description></item>
/// <item><description>a PATCH is answered 201, not 202 (dotnet/sdk-container-builds#279): both are taken;</description></item>
/// <item><description>the <c>Range</c> of a PATCH answer stops advancing after the first part although each part is
/// stored (aws/containers-roadmap#2831): the offset is what was sent, never what <c>Range</c> says;</description></item>
/// <item><description>a mount works only with the account's BLOB_MOUNTING setting, in one account and region, for blobs a
/// manifest of the source repository references; otherwise 202 and an upload session (aws/containers-roadmap#2860),
/// which is used.</description></item>
/// </list>
/// The bytes are hashed as they go (<see cref="DigestCheckingStream"/>), across the parts too; the request that would
/// complete a blob whose hash does not match fails before its last bytes go. A failed attempt starts the blob again from
/// a new session: after a broken part, what ECR stored cannot be read from its <c>Range</c>.
/// </summary>
internal sealed partial class RegistryClient
{
    /// <summary>Blobs larger than this (64 MiB) go up in parts.</summary>
    internal const long PartedUploadThreshold = 64L * 1024 * 1024;

    /// <summary>
    /// 16 MiB: above ECR's 5 MiB minimum with room to spare, 4 to 5 requests for a blob just over the threshold, and
    /// within S3's 10,000 parts for any layer ECR takes (at most 52,000 MiB).
    /// </summary>
    internal const int UploadPartSize = 16 * 1024 * 1024;

    /// <summary>Uploads one blob from <paramref name="source"/>, or mounts it from <paramref name="mountFrom"/>; returns true when it was mounted.</summary>
    public Task<bool> UploadBlobAsync(string repository, Descriptor blob, IBlobSource source, string? mountFrom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(source);
        return transport.RunAsync($"upload {blob.Digest} to {repository}", async ct =>
        {
            if (await StartUploadAsync(repository, blob.Digest, mountFrom, ct).ConfigureAwait(false) is not { } location)
            {
                return true;
            }

            var stream = await source.OpenAsync(blob, ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                if (blob.Size > PartedUploadThreshold)
                {
                    await UploadInPartsAsync(repository, blob, source, stream, location, ct).ConfigureAwait(false);
                }
                else
                {
                    await PutWholeAsync(repository, blob, source, stream, location, ct).ConfigureAwait(false);
                }
            }

            return false;
        }, cancellationToken);
    }

    /// <summary>
    /// Opens an upload session; returns its location, or null when the registry mounted the blob from
    /// <paramref name="mountFrom"/> instead. Any answer to a mount but 201 or 202 with a session (a registry that refuses
    /// mounts, or the source repository to these credentials) falls back to a plain POST.
    /// </summary>
    private async Task<Uri?> StartUploadAsync(string repository, string digest, string? mountFrom, CancellationToken cancellationToken)
    {
        if (mountFrom is not null)
        {
            var mountWhat = $"mount {digest} from {mountFrom} into {repository}";
            using var mount = transport.Request(HttpMethod.Post, $"{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(mountFrom)}");
            mount.Content = new ByteArrayContent([]);
            using var watch = transport.Watch(cancellationToken);
            using var response = await transport.SendAsync(mount, mountWhat, watch, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return null;
            }

            if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } session)
            {
                return Absolute(session);
            }
        }

        var what = $"start the upload of {digest} to {repository}";
        using var start = transport.Request(HttpMethod.Post, $"{repository}/blobs/uploads/");
        start.Content = new ByteArrayContent([]);
        using var startWatch = transport.Watch(cancellationToken);
        using var started = await transport.SendAsync(start, what, startWatch, cancellationToken).ConfigureAwait(false);
        if (started.StatusCode != HttpStatusCode.Accepted || started.Headers.Location is not { } location)
        {
            throw await transport.FailureAsync(started, what, cancellationToken).ConfigureAwait(false);
        }

        return Absolute(location);
    }

    /// <summary>The whole blob in the PUT that completes its upload. Each chunk read pushes the inactivity limit back: a slow link that moves is not stopped.</summary>
    private async Task PutWholeAsync(string repository, Descriptor blob, IBlobSource source, Stream stream, Uri location, CancellationToken cancellationToken)
    {
        var what = $"upload {blob.Digest} to {repository}";
        using var watch = transport.Watch(cancellationToken);
        using var body = new DigestCheckingStream(stream, blob, source, () => PushBack(watch));
        using var put = transport.Request(HttpMethod.Put, WithDigest(location, blob.Digest));
        put.Content = Body(body, blob.Size);
        await SendExpectingAsync(put, what, HttpStatusCode.Created, watch, body, cancellationToken).ConfigureAwait(false);
    }

    private async Task UploadInPartsAsync(string repository, Descriptor blob, IBlobSource source, Stream stream, Uri location, CancellationToken cancellationToken)
    {
        // The watch of the request under way; each chunk read for it pushes its limit back.
        CancellationTokenSource? current = null;
        using var body = new DigestCheckingStream(stream, blob, source, () => PushBack(current));
        long offset = 0;
        for (var part = 1; offset < blob.Size; part++)
        {
            var length = (int)Math.Min(UploadPartSize, blob.Size - offset);
            var what = string.Create(CultureInfo.InvariantCulture, $"upload part {part} (bytes {offset}-{offset + length - 1} of {blob.Size}) of {blob.Digest} to {repository}");
            using var watch = transport.Watch(cancellationToken);
            current = watch;
            using var patch = transport.Request(HttpMethod.Patch, location);
            patch.Content = Body(new PartReadStream(body, length), length);

            // The distribution spec's form, "first-last" without a unit: HttpClient's typed value would write "bytes first-last/*".
            patch.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{offset}-{offset + length - 1}"));
            var next = await SendExpectingAsync(patch, what, HttpStatusCode.Accepted, watch, body, cancellationToken, alsoTaken: HttpStatusCode.Created).ConfigureAwait(false);
            offset += length;

            // The next part goes where the answer says (a registry may carry the upload's state in the URL); ECR may leave Location out.
            location = next ?? location;
        }

        using var completion = transport.Watch(cancellationToken);
        current = completion;
        using var put = transport.Request(HttpMethod.Put, WithDigest(location, blob.Digest));
        put.Content = new ByteArrayContent([]);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await SendExpectingAsync(put, $"complete the upload of {blob.Digest} to {repository}", HttpStatusCode.Created, completion, body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one request of an upload and returns the answer's Location. A failure that came from reading the blob (its
    /// bytes do not match, or its source broke) is that failure, not what the HTTP stack made of the broken request.
    /// </summary>
    private async Task<Uri?> SendExpectingAsync(HttpRequestMessage request, string what, HttpStatusCode expected, CancellationTokenSource watch, DigestCheckingStream body, CancellationToken cancellationToken, HttpStatusCode? alsoTaken = null)
    {
        HttpResponseMessage response;
        try
        {
            response = await transport.SendAsync(request, what, watch, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException exception)
        {
            body.ThrowIfSourceFailed(exception);
            throw;
        }

        using (response)
        {
            if (response.StatusCode != expected && response.StatusCode != alsoTaken)
            {
                throw await transport.FailureAsync(response, what, cancellationToken).ConfigureAwait(false);
            }

            // A registry that answered before it read the whole body must not make a damaged blob pass.
            if (body.Mismatch is { } late)
            {
                throw new EcrPushException(late);
            }

            return response.Headers.Location is { } location ? Absolute(location) : null;
        }
    }

    private Uri Absolute(Uri location) => location.IsAbsoluteUri ? location : new Uri(transport.Base, location);

    private static StreamContent Body(Stream stream, long length)
    {
        var content = new StreamContent(stream, 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = length;
        return content;
    }

    private void PushBack(CancellationTokenSource? watch)
    {
        try
        {
            watch?.CancelAfter(transport.InactivityTimeout);
        }
        catch (ObjectDisposedException)
        {
            // A read after its request ended (the answer came before the whole body): no watch left to push back.
        }
    }

    private static Uri WithDigest(Uri location, string digest)
        => new($"{location}{(string.IsNullOrEmpty(location.Query) ? "?" : "&")}digest={Uri.EscapeDataString(digest)}");

    /// <summary>The next <c>length</c> bytes of a blob's stream, as one part's body; the blob's stream stays open for the next part.</summary>
    private sealed class PartReadStream(Stream blob, int length) : ReadOnlyStream
    {
        private int _read;

        public override long Length => length;

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        // At the part's end the blob's stream is not asked at all: it takes an empty read before the blob's end for a short file.
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read == length)
            {
                return 0;
            }

            var read = blob.Read(buffer, offset, Math.Min(count, length - _read));
            _read += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read == length)
            {
                return 0;
            }

            var read = await blob.ReadAsync(buffer[..Math.Min(buffer.Length, length - _read)], cancellationToken).ConfigureAwait(false);
            _read += read;
            return read;
        }
    }
}

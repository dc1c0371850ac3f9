using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>
/// The upload of a big blob in parts, written for ECR's registry. Up to <see cref="PartedUploadThreshold"/> a blob goes
/// up in one PUT: most layers are smaller, and parts would only add round trips. Above it, PATCH parts of
/// <see cref="UploadPartSize"/>, then a PUT with <c>?digest=</c> and no body, so that no single request carries a
/// whole multi-hundred-megabyte layer through proxies and load balancers that bound a request's size or duration.
/// What ECR does differently from the distribution spec, and how it is met here:
/// <list type="bullet">
/// <item><description>every part but the last must be at least 5 MiB (<c>LayerPartTooSmallException</c>,
/// dotnet/sdk-container-builds#424): parts are 16 MiB, only the last is shorter;</description></item>
/// <item><description>a PATCH is answered 201, not 202 (dotnet/sdk-container-builds#279): both are taken;</description></item>
/// <item><description>the <c>Range</c> of a PATCH answer stops advancing after the first part although each part is
/// stored (aws/containers-roadmap#2831): the offset is what was sent, never what <c>Range</c> says.</description></item>
/// </list>
/// The blob's bytes are hashed across the parts; the last part fails before its last bytes go when the hash does not
/// match, and the completing PUT is never sent. Each request has its own inactivity watch. A failed part fails the
/// blob, which the uploader then starts again from a new session: after a broken part, what ECR stored cannot be read
/// from its <c>Range</c>.
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

    /// <summary>ECR's smallest part but the last (LayerPartTooSmallException).</summary>
    internal const int EcrMinimumPartSize = 5 * 1024 * 1024;

    /// <summary>
    /// Opens an upload session; returns its location, or null when the registry mounted the blob from
    /// <paramref name="mountFrom"/> instead. A mount is an attempt: ECR mounts only with the account's BLOB_MOUNTING
    /// setting, in one account and region, and only blobs a manifest of the source repository references; otherwise it
    /// answers 202 with an upload session (aws/containers-roadmap#2860), which is used. Any other answer to a mount
    /// (a registry that refuses mounts, or the source repository to these credentials) falls back to a plain POST.
    /// </summary>
    private async Task<Uri?> StartUploadAsync(string repository, string digest, string? mountFrom, CancellationToken cancellationToken)
    {
        if (mountFrom is not null)
        {
            using var mount = Request(HttpMethod.Post, $"{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(mountFrom)}");
            mount.Content = new ByteArrayContent([]);
            using var watch = Watch(cancellationToken);
            using var response = await SendAsync(mount, $"mount {digest} from {mountFrom} into {repository}", watch, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return null;
            }

            if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } session)
            {
                return session.IsAbsoluteUri ? session : new Uri(_base, session);
            }
        }

        using var start = Request(HttpMethod.Post, $"{repository}/blobs/uploads/");
        start.Content = new ByteArrayContent([]);
        using var startWatch = Watch(cancellationToken);
        using var started = await SendAsync(start, $"start the upload of {digest} to {repository}", startWatch, cancellationToken).ConfigureAwait(false);
        if (started.StatusCode != HttpStatusCode.Accepted || started.Headers.Location is not { } location)
        {
            throw await FailureAsync(started, $"start the upload of {digest} to {repository}", cancellationToken).ConfigureAwait(false);
        }

        return location.IsAbsoluteUri ? location : new Uri(_base, location);
    }

    private async Task UploadInPartsAsync(string repository, BlobFile blob, Uri location, CancellationToken cancellationToken)
    {
        var file = new FileStream(blob.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            // The watch of the request under way; each chunk read for it pushes its limit back.
            CancellationTokenSource? current = null;
            using var verifying = DigestCheckingStream.OfFile(file, blob, Progress);
            try
            {
                long offset = 0;
                for (var part = 1; offset < blob.Size; part++)
                {
                    var length = (int)Math.Min(UploadPartSize, blob.Size - offset);
                    var what = string.Create(CultureInfo.InvariantCulture, $"upload part {part} (bytes {offset}-{offset + length - 1} of {blob.Size}) of {blob.Digest} to {repository}");
                    using var watch = Watch(cancellationToken);
                    current = watch;
                    using var patch = new HttpRequestMessage(HttpMethod.Patch, location);
                    patch.Headers.Authorization = _authorization;
                    patch.Content = new StreamContent(new PartReadStream(verifying, length), 1 << 16);
                    patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    patch.Content.Headers.ContentLength = length;

                    // The distribution spec's form, "first-last" without a unit: HttpClient's typed value would write "bytes first-last/*".
                    patch.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{offset}-{offset + length - 1}"));
                    using var response = await SendAsync(patch, what, watch, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Created))
                    {
                        throw await FailureAsync(response, what, cancellationToken).ConfigureAwait(false);
                    }

                    offset += length;

                    // The next part goes where the answer says (a registry may carry the upload's state in the URL); ECR may leave Location out.
                    if (response.Headers.Location is { } next)
                    {
                        location = next.IsAbsoluteUri ? next : new Uri(_base, next);
                    }
                }

                using var completion = Watch(cancellationToken);
                current = completion;
                using var put = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, blob.Digest));
                put.Headers.Authorization = _authorization;
                put.Content = new ByteArrayContent([]);
                put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var completed = await SendAsync(put, $"complete the upload of {blob.Digest} to {repository}", completion, cancellationToken).ConfigureAwait(false);
                if (completed.StatusCode != HttpStatusCode.Created)
                {
                    throw await FailureAsync(completed, $"complete the upload of {blob.Digest} to {repository}", cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (verifying.Mismatch is { } mismatch && exception is not HttpRequestException { StatusCode: not null })
            {
                throw new EcrPushException(mismatch, exception);
            }

            void Progress()
            {
                try
                {
                    current?.CancelAfter(inactivityTimeout);
                }
                catch (ObjectDisposedException)
                {
                    // A read after its request ended (the answer came before the whole body): no watch left to push back.
                }
            }
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

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>
/// The upload of a blob that streams from another registry (an image copied between ECR repositories, regions or
/// accounts): POST for an upload session, then one PUT whose body is the source's GET, hashed as it passes. The bytes
/// that would complete the blob are held back when the hash does not match, so the destination never completes a
/// blob that the source damaged. Kept apart from the upload of a file, which has its own way of reading.
/// </summary>
internal sealed partial class RegistryClient
{
    public async Task UploadBlobFromAsync(string repository, string digest, long size, Stream source, string sourceName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        Uri location;
        using (var start = Request(HttpMethod.Post, $"{repository}/blobs/uploads/"))
        {
            start.Content = new ByteArrayContent([]);
            using var watch = Watch(cancellationToken);
            using var response = await SendAsync(start, $"start the upload of {digest} to {repository}", watch, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is null)
            {
                throw await FailureAsync(response, $"start the upload of {digest} to {repository}", cancellationToken).ConfigureAwait(false);
            }

            location = response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(_base, response.Headers.Location);
        }

        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        using (var watch = Watch(cancellationToken))
        {
            var checking = new DigestCheckingStream(source, digest, size, sourceName, () => watch.CancelAfter(inactivityTimeout));
            await using (checking.ConfigureAwait(false))
            {
                using var put = new HttpRequestMessage(HttpMethod.Put, new Uri($"{location}{separator}digest={Uri.EscapeDataString(digest)}"));
                put.Headers.Authorization = _authorization;
                put.Content = new StreamContent(checking, 1 << 16);
                put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                put.Content.Headers.ContentLength = size;
                try
                {
                    using var response = await SendAsync(put, $"upload {digest} to {repository}", watch, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.Created)
                    {
                        throw await FailureAsync(response, $"upload {digest} to {repository}", cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception exception) when (checking.Mismatch is { } mismatch && exception is not HttpRequestException { StatusCode: not null })
                {
                    throw new EcrPushException(mismatch, exception);
                }

                if (checking.Mismatch is { } late)
                {
                    throw new EcrPushException(late);
                }
            }
        }
    }

    /// <summary>Passes a blob's bytes through, hashing them; fails the read that would complete a blob whose size or digest is wrong.</summary>
    private sealed class DigestCheckingStream(Stream inner, string digest, long size, string sourceName, Action progress) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public string? Mismatch { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => size;

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
            if (_read > size || (chunk.Length == 0 && _read < size))
            {
                Mismatch = $"The blob {digest} from {sourceName} is not {size} bytes as its manifest says ({(_read > size ? "more" : $"only {_read}")}). The image was not pushed (its manifest never went up); push again.";
                throw new IOException(Mismatch);
            }

            if (_read == size && chunk.Length > 0 && Sha256.Of(_hash) is var actual && actual != digest)
            {
                Mismatch = $"The blob {digest} from {sourceName} arrived with the digest {actual}: it was damaged on the way, or the source registry holds it damaged. The image was not pushed (its manifest never went up); push again.";
                throw new IOException(Mismatch);
            }

            return chunk.Length;
        }
    }
}

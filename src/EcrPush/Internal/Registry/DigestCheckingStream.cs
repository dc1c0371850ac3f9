using System.Security.Cryptography;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>
/// A blob's bytes on their way to the registry, hashed as they pass. Just before the bytes that complete the declared
/// size go out, the hash is compared, and on a mismatch the read fails instead, so the registry never completes the
/// blob. <see cref="Mismatch"/> then says what was wrong, in the words of where the bytes came from.
/// </summary>
internal sealed class DigestCheckingStream : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Stream _inner;
    private readonly string _digest;
    private readonly long _size;
    private readonly Action _progress;
    private readonly Func<long, string> _wrongSize;
    private readonly Func<string, string> _wrongDigest;
    private long _read;

    private DigestCheckingStream(Stream inner, string digest, long size, Action progress, Func<long, string> wrongSize, Func<string, string> wrongDigest)
        => (_inner, _digest, _size, _progress, _wrongSize, _wrongDigest) = (inner, digest, size, progress, wrongSize, wrongDigest);

    public string? Mismatch { get; private set; }

    public override long Length => _size;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    /// <summary>A blob read from its file in a layout or an unpacked archive.</summary>
    public static DigestCheckingStream OfFile(Stream file, BlobFile blob, Action progress) => new(
        file,
        blob.Digest,
        blob.Size,
        progress,
        _ => $"The blob file {blob.Path} changed while it was read: it is not {blob.Size} bytes as its manifest says. Write the image again. The image was not pushed.",
        actual => $"The blob file {blob.Path} does not match its digest {blob.Digest} (its content is {actual}): the layout or archive is damaged. Write it again. The image was not pushed (its manifest never went up).");

    /// <summary>A blob streamed from another registry's GET.</summary>
    public static DigestCheckingStream OfCopy(Stream source, string digest, long size, string sourceName, Action progress) => new(
        source,
        digest,
        size,
        progress,
        read => $"The blob {digest} from {sourceName} is not {size} bytes as its manifest says ({(read > size ? "more" : $"only {read}")}). The image was not pushed (its manifest never went up); push again.",
        actual => $"The blob {digest} from {sourceName} arrived with the digest {actual}: it was damaged on the way, or the source registry holds it damaged. The image was not pushed (its manifest never went up); push again.");

    public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, _inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Check(buffer.Span[..read]);
    }

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
        _progress();
        _hash.AppendData(chunk);
        _read += chunk.Length;
        if (_read > _size || (chunk.Length == 0 && _read < _size))
        {
            Mismatch = _wrongSize(_read);
            throw new IOException(Mismatch);
        }

        if (_read == _size && chunk.Length > 0 && Sha256.Of(_hash) is var actual && actual != _digest)
        {
            Mismatch = _wrongDigest(actual);
            throw new IOException(Mismatch);
        }

        return chunk.Length;
    }
}

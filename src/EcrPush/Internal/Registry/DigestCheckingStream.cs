using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>
/// A blob's bytes on their way to the registry, from wherever its source keeps them, hashed as they pass. Just before
/// the bytes that complete the declared size go out, the hash is compared, and on a mismatch the read fails instead,
/// so the registry never completes the blob. What went wrong on the reading side is kept apart from what the HTTP
/// stack makes of it: <see cref="Mismatch"/> (in the source's own words) or <see cref="ReadError"/> (the source broke).
/// </summary>
internal sealed class DigestCheckingStream : ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Stream _inner;
    private readonly Descriptor _blob;
    private readonly IBlobSource _source;
    private readonly Action _progress;
    private long _read;
    private bool _verified;

    /// <param name="inner">The blob's bytes as the source gives them.</param>
    /// <param name="blob">The digest and size they must have.</param>
    /// <param name="source">Says what a wrong size or digest means for where the bytes came from.</param>
    /// <param name="progress">Called for each chunk read: the request's inactivity watch is pushed back.</param>
    public DigestCheckingStream(Stream inner, Descriptor blob, IBlobSource source, Action progress)
        => (_inner, _blob, _source, _progress) = (inner, blob, source, progress);

    /// <summary>The bytes were not the blob: the source's message. Set before the read that would complete the blob fails.</summary>
    public string? Mismatch { get; private set; }

    /// <summary>Reading the source failed: the failure as the source raised it.</summary>
    public Exception? ReadError { get; private set; }

    public override long Length => _blob.Size;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    /// <summary>What ended the upload on the reading side, if anything did: rethrown as it was, or as the source's mismatch.</summary>
    public void ThrowIfSourceFailed(Exception sending)
    {
        if (Mismatch is { } mismatch)
        {
            throw new EcrPushException(mismatch, sending);
        }

        if (ReadError is { } readError)
        {
            ExceptionDispatchInfo.Throw(readError);
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read;
        try
        {
            read = _inner.Read(buffer, offset, count);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ReadError = exception;
            throw;
        }

        return Check(buffer.AsSpan(offset, read));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ReadError = exception;
            throw;
        }

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
        if (_read > _blob.Size || (chunk.Length == 0 && _read < _blob.Size))
        {
            Mismatch = _source.WrongSize(_blob, _read);
            throw new IOException(Mismatch);
        }

        if (_read == _blob.Size && !_verified)
        {
            _verified = true;
            if (Sha256.Of(_hash) is var actual && actual != _blob.Digest)
            {
                Mismatch = _source.WrongDigest(_blob, actual);
                throw new IOException(Mismatch);
            }
        }

        return chunk.Length;
    }
}

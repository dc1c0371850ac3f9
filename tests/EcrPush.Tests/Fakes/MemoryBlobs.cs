using Ecr.Internal.Images;

namespace Ecr.Tests.Fakes;

/// <summary>Blobs held in memory, as a source of an image graph; the test may change a blob's bytes after its descriptor was made (damage).</summary>
internal sealed class MemoryBlobs(BlobLocation? location = null) : IBlobSource
{
    public Dictionary<string, byte[]> Bytes { get; } = new(StringComparer.Ordinal);

    public BlobLocation? Location { get; } = location;

    public Descriptor Add(byte[] bytes, string mediaType = "application/vnd.oci.image.layer.v1.tar+gzip")
    {
        var blob = new Descriptor(mediaType, FakeRegistry.DigestOf(bytes), bytes.LongLength);
        Bytes[blob.Digest] = bytes;
        return blob;
    }

    public Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream(Bytes[blob.Digest], writable: false));

    public string WrongSize(Descriptor blob, long read) => $"memory blob {blob.Digest}: {read} bytes, not {blob.Size}";

    public string WrongDigest(Descriptor blob, string actual) => $"memory blob {blob.Digest}: its bytes are {actual}";
}

using System.Text;
using Ecr.Internal.Images;
using Ecr.Internal.Registry;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Registry;

/// <summary>A blob's bytes on their way up, checked against its size and digest before the bytes that would complete it go.</summary>
public sealed class DigestCheckingStreamTests
{
    private static readonly byte[] Bytes = Encoding.UTF8.GetBytes("the blob's bytes");
    private readonly MemoryBlobs _source = new();

    [Fact]
    public async Task The_right_bytes_pass_whole_and_each_read_reports_progress()
    {
        var blob = _source.Add(Bytes);
        var progress = 0;
        using var stream = new DigestCheckingStream(new MemoryStream(Bytes), blob, _source, () => progress++);

        var read = await ReadAllAsync(stream, chunk: 5);

        Assert.Equal(Bytes, read);
        Assert.Null(stream.Mismatch);
        Assert.Equal(5, progress);
    }

    [Fact]
    public async Task Bytes_with_another_digest_fail_the_read_that_would_complete_the_blob_and_say_so_in_the_source_s_words()
    {
        var blob = _source.Add(Bytes);
        var damaged = Encoding.UTF8.GetBytes("the blob's bytez");
        using var stream = new DigestCheckingStream(new MemoryStream(damaged), blob, _source, () => { });
        var buffer = new byte[Bytes.Length - 1];

        await stream.ReadExactlyAsync(buffer);
        var failure = await Assert.ThrowsAsync<IOException>(async () => await stream.ReadAtLeastAsync(new byte[10], 1));

        Assert.Equal($"memory blob {blob.Digest}: its bytes are {FakeRegistry.DigestOf(damaged)}", stream.Mismatch);
        Assert.Equal(stream.Mismatch, failure.Message);
        Assert.Throws<EcrPushException>(() => stream.ThrowIfSourceFailed(new IOException("the request broke")));
    }

    [Theory]
    [InlineData("the blob's", "10 bytes, not 16")]
    [InlineData("the blob's bytes, and more", "26 bytes, not 16")]
    public async Task Bytes_of_another_size_fail(string content, string problem)
    {
        var blob = _source.Add(Bytes);
        using var stream = new DigestCheckingStream(new MemoryStream(Encoding.UTF8.GetBytes(content)), blob, _source, () => { });

        await Assert.ThrowsAsync<IOException>(() => ReadAllAsync(stream, chunk: 64));

        Assert.Equal($"memory blob {blob.Digest}: {problem}", stream.Mismatch);
    }

    [Fact]
    public async Task An_empty_blob_is_checked_too()
    {
        var blob = new Descriptor("application/octet-stream", FakeRegistry.DigestOf(Bytes), 0);
        using var stream = new DigestCheckingStream(new MemoryStream(), blob, _source, () => { });

        await Assert.ThrowsAsync<IOException>(() => ReadAllAsync(stream, chunk: 8));

        Assert.StartsWith($"memory blob {blob.Digest}: its bytes are sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stream.Mismatch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_that_breaks_is_kept_apart_from_what_the_request_makes_of_it()
    {
        var blob = _source.Add(Bytes);
        var broken = new IOException("the source registry reset the connection");
        using var stream = new DigestCheckingStream(new BrokenStream(broken), blob, _source, () => { });

        await Assert.ThrowsAsync<IOException>(async () => await stream.ReadAtLeastAsync(new byte[8], 8));

        Assert.Same(broken, stream.ReadError);
        Assert.Same(broken, Assert.Throws<IOException>(() => stream.ThrowIfSourceFailed(new HttpRequestException("Error while copying content to a stream."))));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int chunk)
    {
        using var all = new MemoryStream();
        var buffer = new byte[chunk];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await all.WriteAsync(buffer.AsMemory(0, read));
        }

        return all.ToArray();
    }

    private sealed class BrokenStream(Exception failure) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);
    }
}

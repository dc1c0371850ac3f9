using System.Security.Cryptography;

namespace Ecr.Internal.Images;

/// <summary>sha256 digests in the registry's form, <c>sha256:</c> and 64 lowercase hex digits.</summary>
internal static class Sha256
{
    public static string Of(byte[] bytes) => "sha256:" + Hex(SHA256.HashData(bytes));

    public static string Of(IncrementalHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return "sha256:" + Hex(hash.GetHashAndReset());
    }

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Hex(SHA256.HashData(stream));
    }

    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return "sha256:" + Hex(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    private static string Hex(byte[] hash)
    {
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(hash);
#else
        return string.Create(hash.Length * 2, hash, static (chars, bytes) =>
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
                chars[(2 * i) + 1] = "0123456789abcdef"[bytes[i] & 0xF];
            }
        });
#endif
    }

    /// <summary>The file name of a digest's blob in a layout: blobs/sha256/&lt;hex&gt;.</summary>
    public static string BlobPath(string layout, string digest)
        => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}

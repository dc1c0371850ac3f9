using System.Text;

namespace Ecr.TestStack;

/// <summary>
/// The head of one HTTP/1.1 request as it came off the wire (request line and headers), plus whatever body bytes
/// arrived with it: what a front needs to route a request, rewrite its head, or pass it on byte for byte.
/// </summary>
public sealed class HttpRequestHead
{
    private const int MaxHeadBytes = 256 * 1024;
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private HttpRequestHead(byte[] bytes, int headLength, string method, string target, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Bytes = bytes;
        HeadLength = headLength;
        Method = method;
        Target = target;
        Headers = headers;
    }

    /// <summary>Everything read: the head, then any body bytes that came with it.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The body bytes that came with the head.</summary>
    public ReadOnlyMemory<byte> BodyStart => Bytes[HeadLength..];

    /// <summary>The request method, e.g. <c>PUT</c>.</summary>
    public string Method { get; }

    /// <summary>The request target as sent, e.g. <c>/v2/team/web/manifests/1</c>.</summary>
    public string Target { get; }

    /// <summary>The request target without its query.</summary>
    public string Path => Target.Split('?', 2)[0];

    /// <summary>The request line, e.g. <c>PUT /v2/team/web/manifests/1 HTTP/1.1</c>.</summary>
    public string RequestLine => $"{Method} {Target} HTTP/1.1";

    /// <summary>The headers, in order, as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    private int HeadLength { get; }

    /// <summary>The first header of that name (case-insensitive), or null.</summary>
    public string? Header(string name)
        => Headers.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// Reads up to the end of a request head. Null when the connection closed first, or the head is not HTTP/1.x
    /// or larger than 256 KiB.
    /// </summary>
    public static async Task<HttpRequestHead?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (buffer.Length < MaxHeadBytes)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            var searchFrom = (int)Math.Max(0, buffer.Length - 3);
            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            var end = buffer.GetBuffer().AsSpan(searchFrom, (int)buffer.Length - searchFrom).IndexOf(EndOfHead);
            if (end >= 0)
            {
                var bytes = buffer.ToArray();
                return Parse(bytes, searchFrom + end + EndOfHead.Length);
            }
        }

        return null;
    }

    /// <summary>
    /// The head again, without the headers named in <paramref name="drop"/> and with <paramref name="add"/> at its
    /// end; the body bytes that came with it are not included.
    /// </summary>
    public byte[] Rewrite(IEnumerable<string> drop, IEnumerable<KeyValuePair<string, string>> add)
    {
        var dropped = new HashSet<string>(drop, StringComparer.OrdinalIgnoreCase);
        var text = new StringBuilder(RequestLine).Append("\r\n");
        foreach (var (name, value) in Headers.Where(header => !dropped.Contains(header.Key)).Concat(add))
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
    }

    private static HttpRequestHead? Parse(byte[] bytes, int headLength)
    {
        var lines = Encoding.Latin1.GetString(bytes, 0, headLength - 4).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new HttpRequestHead(bytes, headLength, parts[0], parts[1], headers);
    }
}

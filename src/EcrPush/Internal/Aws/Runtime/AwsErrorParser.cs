using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;

using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Reads an AWS JSON error: the code from the <c>x-amzn-ErrorType</c> header or the body's <c>__type</c>
/// (or <c>code</c>), without the namespace (<c>com.amazonaws.ecr#</c>) or the header's trailing URI; the text
/// from <c>message</c> or <c>Message</c>. An XML <c>&lt;Error&gt;&lt;Code&gt;</c> body is read too. Anything else (an
/// HTML page from a proxy) yields no code, never an exception.
/// </summary>
// Ours, not AWSSDK.Core's Json/XmlErrorResponseUnmarshaller: those read from the SDK pipeline's IWebResponseData,
// which an HttpResponseMessage outside a generated client would need an adapter for, larger than this file's JSON part.
internal static partial class AwsErrorParser
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";
    private const int SnippetLength = 200;
    private const int SnippetSourceLength = 4096;

    /// <param name="errorTypeHeader">The value of <c>x-amzn-ErrorType</c>, if the answer had one.</param>
    /// <param name="body">The answer's body, whatever it is.</param>
    public static (string? Code, string? Message) Parse(string? errorTypeHeader, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);

        var code = NormalizeCode(errorTypeHeader);
        string? message;
        if (LooksLikeXml(body))
        {
            // Some AWS front ends (and moto's signature and IAM checks) answer in the query protocol's XML.
            var (xmlCode, xmlMessage) = TryReadXml(body);
            code ??= NormalizeCode(xmlCode);
            message = xmlMessage;
        }
        else
        {
            var error = TryReadBody(body);
            code ??= NormalizeCode(error?.Type) ?? NormalizeCode(error?.Code);
            message = error?.LowerCaseMessage ?? error?.Message;
        }

        return (code, code is null ? null : message);
    }

    /// <summary>"com.amazonaws.ecr#RepositoryNotFoundException" and "AccessDeniedException:http://…" both give the bare name.</summary>
    public static string? NormalizeCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw.Trim();
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        return code.Length == 0 ? null : code;
    }

    /// <summary>The start of a body that is not an AWS error, as one line of plain text, secrets removed.</summary>
    public static string Snippet(byte[] body, IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(secrets);

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, SnippetSourceLength));
        text = Tags().Replace(text, " ");
        text = Spaces().Replace(text, " ").Trim();
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text.Length > SnippetLength ? string.Concat(text.AsSpan(0, SnippetLength), "…") : text;
    }

    public static bool LooksLikeJson(byte[] body) => FirstSignificantByte(body) == (byte)'{';

    private static bool LooksLikeXml(byte[] body) => FirstSignificantByte(body) == (byte)'<';

    private static byte? FirstSignificantByte(byte[] body)
    {
        foreach (var b in body)
        {
            // Whitespace and a UTF-8 byte order mark.
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return b;
        }

        return null;
    }

    /// <summary>The first Code and Message of an <c>&lt;Error&gt;</c> element; nothing for HTML or malformed XML.</summary>
    private static (string? Code, string? Message) TryReadXml(byte[] body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
        string? code = null;
        string? message = null;
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = XmlReader.Create(stream, settings);
            var inError = false;
            reader.MoveToContent();
            while (!reader.EOF && (code is null || message is null))
            {
                if (reader.NodeType == XmlNodeType.Element && inError && reader.LocalName == "Code" && code is null)
                {
                    // Reading the content moves to the next node already.
                    code = reader.ReadElementContentAsString();
                    continue;
                }

                if (reader.NodeType == XmlNodeType.Element && inError && reader.LocalName == "Message" && message is null)
                {
                    message = reader.ReadElementContentAsString();
                    continue;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Error")
                {
                    inError = true;
                }

                reader.Read();
            }
        }
        catch (XmlException)
        {
            // An HTML page, or something broken: not an AWS error.
        }

        return (code, code is null ? null : message);
    }

    private static AwsErrorBody? TryReadBody(byte[] body)
    {
        if (!LooksLikeJson(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, EcrJsonContext.Default.AwsErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();
}

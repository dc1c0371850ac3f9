using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Ecr.Internal.Registry;

/// <summary>
/// What a registry said, as data: the OCI distribution error codes (with distribution's <c>TAG_INVALID</c>, which ECR
/// answers for an immutable tag), and the failures of our own side (no connection, TLS, silence). Read once where the
/// answer arrives; nothing downstream reads a message to learn the code.
/// </summary>
internal enum RegistryErrorCode
{
    /// <summary>An answer without an OCI error code we know (an HTML page from a proxy, a bare 500).</summary>
    Unknown,
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,

    /// <summary>No answer: the connection could not be made, or broke.</summary>
    Unreachable,

    /// <summary>The TLS session failed (an authority the machine does not trust, a proxy that inspects TLS): no retry cures it.</summary>
    Tls,

    /// <summary>The registry took the request and went silent past the inactivity limit.</summary>
    Silent,
}

/// <summary>A registry's answer that ends an operation, or the failure to get one; the message names the host, the operation and the answer.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Never leaves the library: the destination step turns it into an EcrPushException.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Always made with its code and registry.")]
internal sealed class RegistryException : Exception
{
    private const int MaxDetailLength = 400;

    private static readonly Dictionary<string, RegistryErrorCode> Codes = new(StringComparer.Ordinal)
    {
        ["BLOB_UNKNOWN"] = RegistryErrorCode.BlobUnknown,
        ["BLOB_UPLOAD_INVALID"] = RegistryErrorCode.BlobUploadInvalid,
        ["BLOB_UPLOAD_UNKNOWN"] = RegistryErrorCode.BlobUploadUnknown,
        ["DIGEST_INVALID"] = RegistryErrorCode.DigestInvalid,
        ["MANIFEST_BLOB_UNKNOWN"] = RegistryErrorCode.ManifestBlobUnknown,
        ["MANIFEST_INVALID"] = RegistryErrorCode.ManifestInvalid,
        ["MANIFEST_UNKNOWN"] = RegistryErrorCode.ManifestUnknown,
        ["NAME_INVALID"] = RegistryErrorCode.NameInvalid,
        ["NAME_UNKNOWN"] = RegistryErrorCode.NameUnknown,
        ["SIZE_INVALID"] = RegistryErrorCode.SizeInvalid,
        ["TAG_INVALID"] = RegistryErrorCode.TagInvalid,
        ["UNAUTHORIZED"] = RegistryErrorCode.Unauthorized,
        ["DENIED"] = RegistryErrorCode.Denied,
        ["UNSUPPORTED"] = RegistryErrorCode.Unsupported,
        ["TOOMANYREQUESTS"] = RegistryErrorCode.TooManyRequests,
    };

    public RegistryException(RegistryErrorCode code, string registryHost, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        RegistryHost = registryHost;
    }

    public RegistryErrorCode Code { get; }

    /// <summary>The registry that answered, or could not be reached.</summary>
    public string RegistryHost { get; }

    /// <summary>The HTTP status of the answer; null when there was none.</summary>
    public int? Status { get; private init; }

    /// <summary>How long the registry asked us to wait (<c>Retry-After</c>), if it did.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>How many attempts the operation made before it gave up; 1 unless it was retried.</summary>
    public int Attempts { get; private init; } = 1;

    /// <summary>
    /// Worth another attempt: a 5xx, a 429, or a connection that could not be made or broke. Never TLS, never a refusal,
    /// and never a failure whose own retries are spent already (a source read inside an upload), so that retries do not multiply.
    /// </summary>
    public bool IsTransient => Attempts == 1 && (Code is RegistryErrorCode.Unreachable or RegistryErrorCode.TooManyRequests || Status is >= 500 or 429);

    /// <summary>The registry refused the token itself (expired, or not taken): a fresh token may pass.</summary>
    public bool IsRefusedToken => Status == 401 || Code == RegistryErrorCode.Unauthorized || (Code == RegistryErrorCode.Denied && Message.Contains("token has expired", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads a registry's error answer: the OCI error body's first code and message, the status, <c>Retry-After</c>.</summary>
    public static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, string registryHost, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = response.RequestMessage?.Method == HttpMethod.Head ? string.Empty : await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var (codeText, detail) = ReadOciError(body);
        var code = codeText is not null && Codes.TryGetValue(codeText, out var known) ? known
            : response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => RegistryErrorCode.Unauthorized,
                HttpStatusCode.Forbidden => RegistryErrorCode.Denied,
                HttpStatusCode.TooManyRequests => RegistryErrorCode.TooManyRequests,
                _ => RegistryErrorCode.Unknown,
            };
        var answer = codeText is not null ? $"{codeText}: {detail}" : body.Trim();
        if (answer.Length > MaxDetailLength)
        {
            answer = answer[..MaxDetailLength] + "…";
        }

        var status = (int)response.StatusCode;
        var message = string.Create(CultureInfo.InvariantCulture, $"The registry {registryHost} answered {status} {response.ReasonPhrase} when asked to {what}{(answer.Length > 0 ? $": {Messages.Sentence(answer)}" : ".")}{Hint(code, status, what)}");
        return new RegistryException(code, registryHost, message) { Status = status, RetryAfter = RetryAfterOf(response) };
    }

    /// <summary>The same failure, saying how many attempts were made.</summary>
    public RegistryException AfterAttempts(int attempts)
        => attempts <= 1 ? this : new RegistryException(Code, RegistryHost, string.Create(CultureInfo.InvariantCulture, $"{Message.TrimEnd('.')} (after {attempts} attempts)."), this)
        {
            Status = Status,
            RetryAfter = RetryAfter,
            Attempts = attempts,
        };

    private static string Hint(RegistryErrorCode code, int status, string what) => code switch
    {
        RegistryErrorCode.Unauthorized or RegistryErrorCode.Denied => " The registry refused the ECR token: check that the credentials may push to this repository (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability; ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to read one).",
        RegistryErrorCode.ManifestInvalid or RegistryErrorCode.Unsupported when what.StartsWith("put", StringComparison.Ordinal) => " The registry refused the manifest as it is: its media type or content is not one it takes.",
        _ when status is 405 or 415 && what.StartsWith("put", StringComparison.Ordinal) => " The registry refused the manifest as it is: its media type or content is not one it takes.",
        _ => string.Empty,
    };

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            // The answer's status says enough when its body breaks off.
            return string.Empty;
        }
    }

    /// <summary>The first error of <c>{"errors":[{"code":…,"message":…}]}</c>; nothing for any other body.</summary>
    private static (string? Code, string? Message) ReadOciError(string body)
    {
        if (!body.TrimStart().StartsWith('{'))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var first = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0 ? errors[0] : default;
            return first.ValueKind == JsonValueKind.Object && first.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? (code.GetString(), first.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null)
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter.Date is { } date && date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}

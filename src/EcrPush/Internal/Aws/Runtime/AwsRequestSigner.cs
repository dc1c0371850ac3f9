using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Signs one POST with SigV4 and returns the headers to send. Every step is AWSSDK.Core's AWS4Signer's (the canonical
/// request, the string to sign, the signing key and the keyed hashes; no signing code of our own), called one by one
/// rather than through its SignRequest, for two reasons: SignRequest reads the time from the SDK's process-wide clock,
/// where this signer takes it from its caller, so that AWS's published test vectors can be checked against it
/// (AwsRequestSignerTests); and SignRequest adds and signs <c>x-amz-content-sha256</c>, which only S3 needs and which
/// neither the published vectors nor the AWS CLI's calls to ECR carry. Called once per attempt: a retry is signed
/// again with fresh time and credentials.
/// </summary>
internal sealed class AwsRequestSigner(string region, string serviceName)
{
    private const string SecurityTokenHeader = "X-Amz-Security-Token";

    /// <summary>Headers to copy onto the HTTP request, Authorization included; Host is left to HttpClient.</summary>
    /// <param name="endpoint">Where the POST goes; its path is signed as it is sent.</param>
    /// <param name="headers">The headers to sign besides Host, X-Amz-Date and the session token, which are added here.</param>
    /// <param name="content">The body, whose SHA-256 the signature covers.</param>
    /// <param name="credentials">The keys, and the session token, if any, which is sent and signed.</param>
    /// <param name="signingTime">The time the request is signed at (X-Amz-Date and the credential scope's date).</param>
    public IReadOnlyList<KeyValuePair<string, string>> Sign(Uri endpoint, IReadOnlyDictionary<string, string> headers, byte[] content, ImmutableCredentials credentials, DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(credentials);

        var signed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            signed[header.Key] = header.Value;
        }

        // The session token is a signed header, so it goes in before signing (as the SDK's pipeline does).
        if (credentials.UseToken)
        {
            signed[SecurityTokenHeader] = credentials.Token;
        }

        // The path is signed as sent: the root for AWS, or whatever path a custom endpoint names.
        var authority = new Uri(endpoint.GetLeftPart(UriPartial.Authority), UriKind.Absolute);
        var signedAt = AWS4Signer.InitializeHeaders(signed, authority, signingTime.UtcDateTime);
        var result = SdkSteps.SignPost(authority, endpoint.AbsolutePath, signed, content, credentials, region, serviceName, signedAt);
        signed["Authorization"] = result.ForAuthorizationHeader;

        return signed
            .Where(static header => !string.Equals(header.Key, "Host", StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    /// <summary>AWS4Signer's protected canonicalization steps, reachable only from a class derived from it; never instantiated.</summary>
    private abstract class SdkSteps : AWS4Signer
    {
        public static AWS4SigningResult SignPost(Uri authority, string path, IDictionary<string, string> headers, byte[] content, ImmutableCredentials credentials, string region, string serviceName, DateTime signedAt)
        {
            var sortedHeaders = SortAndPruneHeaders(headers);
            var bodyHash = AWSSDKUtils.ToHex(ComputeHash(content), true);
            var canonicalRequest = CanonicalizeRequest(authority, path, "POST", sortedHeaders, string.Empty, bodyHash);
            return ComputeSignature(credentials.AccessKey, credentials.SecretKey, region, signedAt, serviceName, CanonicalizeHeaderNames(sortedHeaders), canonicalRequest);
        }
    }
}

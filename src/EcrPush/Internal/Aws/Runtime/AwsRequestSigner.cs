using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Signs one JSON 1.1 POST with SigV4 through AWSSDK.Core's AWS4Signer (no signing code of our own) and returns
/// the headers to send. Called once per attempt: a retry is signed again with fresh time and credentials.
/// </summary>
internal sealed class AwsRequestSigner(string region, string serviceName)
{
    private const string SecurityTokenHeader = "X-Amz-Security-Token";

    private readonly SigningClientConfig _config = new(region, serviceName);
    private readonly AWS4Signer _signer = new();

    /// <summary>Headers to copy onto the HTTP request, Authorization included; Host is left to HttpClient.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sign(Uri endpoint, IReadOnlyDictionary<string, string> headers, byte[] content, ImmutableCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(credentials);

        using var request = new DefaultRequest(new SigningRequest(), "ECR")
        {
            HttpMethod = "POST",

            // The path is signed as sent: the root for AWS, or whatever path a custom endpoint names.
            Endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Authority), UriKind.Absolute),
            ResourcePath = endpoint.AbsolutePath,
            Content = content,
            AuthenticationRegion = region,
        };

        foreach (var header in headers)
        {
            request.Headers[header.Key] = header.Value;
        }

        // The session token is a signed header, so it goes in before signing (as the SDK's pipeline does).
        if (credentials.UseToken)
        {
            request.Headers[SecurityTokenHeader] = credentials.Token;
        }

        var result = _signer.SignRequest(request, _config, null, credentials.AccessKey, credentials.SecretKey);
        request.Headers["Authorization"] = result.ForAuthorizationHeader;

        return request.Headers
            .Where(static header => !string.Equals(header.Key, "Host", StringComparison.OrdinalIgnoreCase))
            .ToList();
    }
}

using System.Globalization;

using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Turns an ECR error answer into the push's exception: the operation, region and endpoint, the AWS code and
/// message, and what to do about it. The AWS message is quoted as AWS sent it (it names no secret); a body that
/// is not an AWS error is summarised from its status and first characters.
/// </summary>
internal static class EcrErrors
{
    /// <summary>The error codes a client reads as an answer rather than a failure (ECR and ECR Public name them alike).</summary>
    public const string RepositoryNotFound = "RepositoryNotFoundException";

    public const string RepositoryAlreadyExists = "RepositoryAlreadyExistsException";

    public const string ImageNotFound = "ImageNotFoundException";

    private static readonly HashSet<string> AccessDenied = new(StringComparer.Ordinal)
    {
        "AccessDeniedException", "AccessDenied", "NotAuthorized", "UnauthorizedOperation", "AuthorizationError",
    };

    private static readonly HashSet<string> UnknownKey = new(StringComparer.Ordinal)
    {
        "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId", "AuthFailure",
    };

    private static readonly HashSet<string> BadSignature = new(StringComparer.Ordinal)
    {
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException",
        "MissingAuthenticationToken", "MissingAuthenticationTokenException",
    };

    private static readonly HashSet<string> Expired = new(StringComparer.Ordinal)
    {
        "ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired",
    };


    public static EcrPushException ToException(string operation, EcrEndpoint endpoint, string credentialSource, EcrApiResponse response, EcrApiService? service = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(response);
        service ??= EcrApiService.Private;

        var where = $"{service.Name} {operation} in {endpoint.SigningRegion} ({endpoint.Url})";
        var status = string.Create(CultureInfo.InvariantCulture, $"HTTP {response.StatusCode}{(string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + response.ReasonPhrase)}");
        var tries = response.Attempts > 1 ? string.Create(CultureInfo.InvariantCulture, $" after {response.Attempts} attempts") : string.Empty;

        if (response.ErrorCode is not { } code)
        {
            var body = string.IsNullOrEmpty(response.BodySnippet) ? "an empty body" : $"'{response.BodySnippet}'";
            var type = response.ContentType ?? "no content type";
            var advice = response.StatusCode == 407
                ? "The proxy asks for credentials: give them in the proxy URL (http://user:password@proxy:port, in the Proxy setting or HTTPS_PROXY), or ask for the ECR endpoint to be let through."
                : $"Something other than ECR probably answered: a proxy, a firewall or a wrong endpoint. Check the endpoint (from {endpoint.Source}) and the proxy (the Proxy setting, or HTTPS_PROXY / NO_PROXY).";
            return new EcrPushException($"{where} failed{tries}: {status} with {body} ({type}), which is not an AWS error. {advice}");
        }

        var message = string.IsNullOrWhiteSpace(response.ErrorMessage) ? "(no message)" : response.ErrorMessage.Trim();
        var text = $"{where} failed{tries}: {code}: {message} ({status}). {Advice(service, operation, code, message, response, endpoint, credentialSource)}".TrimEnd();

        // A missing permission stays recognizable to the step that made the call (a creation template it may not read).
        return AccessDenied.Contains(code)
            ? new EcrPushException(text, new EcrAccessDeniedException(operation, service.IamAction(operation)))
            : new EcrPushException(text);
    }

    /// <summary>A refused signature whose message speaks of time ("Signature expired: … is now earlier than …").</summary>
    private static bool IsClockSkew(string code, string message)
        => code is "RequestTimeTooSkewed" or "RequestInTheFuture"
            || ((BadSignature.Contains(code) || code is "AuthFailure")
                && (message.Contains("Signature expired", StringComparison.OrdinalIgnoreCase) || message.Contains("skew", StringComparison.OrdinalIgnoreCase)));

    private static string Advice(EcrApiService service, string operation, string code, string message, EcrApiResponse response, EcrEndpoint endpoint, string credentialSource)
    {
        if (AccessDenied.Contains(code))
        {
            var resource = operation == "GetAuthorizationToken" ? "on resource \"*\"" : "on the repository";
            return $"The identity (credentials from {credentialSource}) is not allowed to call it: grant the IAM action {service.IamAction(operation)} {resource}, and check the repository policy, any permissions boundary and any SCP.";
        }

        if (IsClockSkew(code, message))
        {
            return "The request's time is too far from AWS's: check this machine's clock.";
        }

        if (UnknownKey.Contains(code))
        {
            return $"AWS does not know the access key (credentials from {credentialSource}): the credentials are invalid or deleted, or belong to another partition than {endpoint.SigningRegion}'s (China, GovCloud). Check them; {service.IamAction(operation)} is the IAM action the call needs once they are valid.";
        }

        if (BadSignature.Contains(code))
        {
            return $"The signature was refused: the secret access key does not match the access key (credentials from {credentialSource}), so the credentials are invalid. Check them.";
        }

        if (Expired.Contains(code))
        {
            return $"The credentials (from {credentialSource}) have expired: renew them (a new session token, aws sso login, or assume the role again).";
        }

        if (StandardRetryPolicy.IsThrottling(code, response.StatusCode))
        {
            return "ECR kept throttling the calls: retry later, or run fewer pushes at once.";
        }

        if (response.StatusCode >= 500 || code is "ServerException")
        {
            return "ECR had an internal problem: retry later.";
        }

        return code switch
        {
            RepositoryNotFound => "Check the repository name and the registry ID.",
            "KmsException" => "Check the KMS key, and that the identity may use it (kms:CreateGrant, kms:DescribeKey).",
            "LimitExceededException" => "A service quota was reached (e.g. repositories per registry): delete unused repositories or request a quota increase.",
            "TooManyTagsException" or "InvalidTagParameterException" => "Check the repository tags: at most 50, keys and values within ECR's limits.",
            "InvalidParameterException" or "ValidationException" when message.Contains("LifecyclePolicy", StringComparison.OrdinalIgnoreCase)
                => "Check LifecyclePolicy against ECR's lifecycle policy rules (each rule's rulePriority, selection and action).",
            "InvalidParameterException" or "ValidationException" when message.Contains("policyText", StringComparison.OrdinalIgnoreCase)
                => "Check RepositoryPolicy: it must be an IAM policy document that ECR accepts for a repository.",
            "InvalidParameterException" or "ValidationException" => "Check the settings this call used (repository name, registry ID, tag).",
            _ => $"ECR's API reference says what {code} means for {operation}: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_{operation}.html",
        };
    }
}

using System.Text;


namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Decodes GetAuthorizationToken's answer: the token is base64 of <c>user:password</c> (the user is <c>AWS</c>).
/// Error messages never quote the token or any part of it.
/// </summary>
internal static class EcrTokenDecoder
{
    public static EcrAuthorization Decode(AuthorizationDataDto data, string endpointDescription)
    {
        ArgumentNullException.ThrowIfNull(data);

        if (string.IsNullOrWhiteSpace(data.AuthorizationToken))
        {
            throw new EcrPushException($"ECR GetAuthorizationToken ({endpointDescription}) answered without an authorization token.");
        }

        var (user, password) = DecodeToken(data.AuthorizationToken, endpointDescription);
        var proxyEndpoint = ParseProxyEndpoint(data.ProxyEndpoint, endpointDescription);

        // ECR always sends expiresAt; without it the token counts as already expired, so nothing reuses it.
        // A date in the past (moto answers 2015) is kept as given: the caller decides what to do with it.
        var expiresAt = data.ExpiresAt ?? DateTimeOffset.UnixEpoch;
        return new EcrAuthorization(user, password, proxyEndpoint, expiresAt);
    }

    public static (string User, string Password) DecodeToken(string token, string endpointDescription)
    {
        ArgumentNullException.ThrowIfNull(token);

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(token.Trim());
        }
        catch (FormatException exception)
        {
            throw new EcrPushException($"ECR GetAuthorizationToken ({endpointDescription}) answered with a token that is not base64.", exception);
        }

        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new EcrPushException($"ECR GetAuthorizationToken ({endpointDescription}) answered with a token that is not 'user:password'.");
        }

        return (text[..colon], text[(colon + 1)..]);
    }

    /// <summary>The registry URL as ECR gives it; a bare host (no scheme) is read as https.</summary>
    public static Uri ParseProxyEndpoint(string? proxyEndpoint, string endpointDescription)
    {
        var value = proxyEndpoint?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            throw new EcrPushException($"ECR GetAuthorizationToken ({endpointDescription}) answered without a proxyEndpoint (the registry address).");
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
        {
            return url;
        }

        if (!value.Contains("://", StringComparison.Ordinal) && Uri.TryCreate($"https://{value}", UriKind.Absolute, out url))
        {
            return url;
        }

        throw new EcrPushException($"ECR GetAuthorizationToken ({endpointDescription}) answered with the proxyEndpoint '{value}', which is not a registry URL.");
    }
}

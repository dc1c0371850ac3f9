namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// The last answer to one ECR call: success, or an error with its AWS code when the body was an AWS error.
/// <see cref="BodySnippet"/> is set only for answers that are not AWS errors, already shortened and redacted.
/// </summary>
internal sealed record EcrApiResponse(
    int StatusCode,
    string? ReasonPhrase,
    string? ContentType,
    byte[] Body,
    string? ErrorCode,
    string? ErrorMessage,
    string? BodySnippet,
    int Attempts)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

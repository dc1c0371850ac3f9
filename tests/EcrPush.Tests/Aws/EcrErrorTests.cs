using System.Net;
using System.Text;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Tests.Aws;

public sealed class EcrErrorTests
{
    [Theory]
    [InlineData("com.amazonaws.ecr#RepositoryNotFoundException", "RepositoryNotFoundException")]
    [InlineData("RepositoryNotFoundException", "RepositoryNotFoundException")]
    [InlineData("AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/", "AccessDeniedException")]
    [InlineData("  ThrottlingException  ", "ThrottlingException")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Error_codes_lose_their_namespace_and_uri(string? raw, string? expected)
        => Assert.Equal(expected, AwsErrorParser.NormalizeCode(raw));

    [Fact]
    public void The_code_and_message_come_from_the_json_body()
    {
        var (code, message) = AwsErrorParser.Parse(null, Encoding.UTF8.GetBytes("""{"__type":"com.amazonaws.ecr#ImageNotFoundException","message":"The image does not exist"}"""));

        Assert.Equal("ImageNotFoundException", code);
        Assert.Equal("The image does not exist", message);
    }

    [Fact]
    public void A_capitalised_Message_is_read_too()
    {
        var (code, message) = AwsErrorParser.Parse(null, Encoding.UTF8.GetBytes("""{"__type":"UnrecognizedClientException","Message":"The security token included in the request is invalid."}"""));

        Assert.Equal("UnrecognizedClientException", code);
        Assert.Equal("The security token included in the request is invalid.", message);
    }

    [Fact]
    public void The_header_gives_the_code_when_the_body_has_none()
    {
        var (code, message) = AwsErrorParser.Parse("ThrottlingException:http://internal.amazon.com/coral/", Encoding.UTF8.GetBytes("""{"message":"Rate exceeded"}"""));

        Assert.Equal("ThrottlingException", code);
        Assert.Equal("Rate exceeded", message);
    }

    [Theory]
    [InlineData("""<?xml version="1.0" encoding="utf-8"?> <ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>""", "InvalidClientTokenId", "The security token included in the request is invalid.")]
    [InlineData("""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not &amp; never</Message></Error></ErrorResponse>""", "AccessDenied", "Not & never")]
    [InlineData("""<Error><Code>SlowDown</Code></Error>""", "SlowDown", null)]
    public void An_xml_error_body_is_read_too(string body, string code, string? message)
        => Assert.Equal((code, message), AwsErrorParser.Parse(null, Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("<html><head><title>403 Forbidden</title></head><body>Blocked by policy</body></html>")]
    [InlineData("<!DOCTYPE html><html><body><h1>Error</h1><p>Code: 42</p></body></html>")]
    [InlineData("<html><body><Error>no code here</Error></body></html>")]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("[1, 2]")]
    public void A_body_that_is_not_an_aws_error_gives_no_code(string body)
    {
        var (code, message) = AwsErrorParser.Parse(null, Encoding.UTF8.GetBytes(body));

        Assert.Null(code);
        Assert.Null(message);
    }

    [Fact]
    public void The_snippet_is_plain_short_and_redacted()
    {
        var html = "<html><body><h1>Access denied</h1><p>token=SECRET-TOKEN</p>" + new string('x', 500) + "</body></html>";

        var snippet = AwsErrorParser.Snippet(Encoding.UTF8.GetBytes(html), ["SECRET-TOKEN", null]);

        Assert.StartsWith("Access denied token=*** xxx", snippet, StringComparison.Ordinal);
        Assert.True(snippet.Length <= 201);
        Assert.DoesNotContain("SECRET-TOKEN", snippet, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GetAuthorizationToken", "ecr:GetAuthorizationToken")]
    [InlineData("DescribeRepositories", "ecr:DescribeRepositories")]
    [InlineData("CreateRepository", "ecr:CreateRepository")]
    [InlineData("BatchGetImage", "ecr:BatchGetImage")]
    public async Task Access_denied_names_the_iam_action(string operation, string action)
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenError(HttpStatusCode.BadRequest, "AccessDeniedException", $"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: {action}");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Call(harness.Client, operation));

        Assert.Contains($"ECR {operation} in eu-west-3 (https://api.ecr.eu-west-3.amazonaws.com/) failed: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"grant the IAM action {action}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("the test keys", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Stub.Attempts);
    }

    [Theory]
    [InlineData("UnrecognizedClientException", "The security token included in the request is invalid.", "does not know the access key")]
    [InlineData("InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", "the credentials are invalid")]
    [InlineData("InvalidSignatureException", "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z", "check this machine's clock")]
    [InlineData("ExpiredTokenException", "The security token included in the request is expired", "have expired")]
    public async Task Credential_errors_say_what_is_wrong_with_the_credentials(string type, string message, string advice)
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenError(HttpStatusCode.BadRequest, type, message);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None));

        Assert.Contains($"{type}: {message}", exception.Message, StringComparison.Ordinal);
        Assert.Contains(advice, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(EcrClientHarness.SecretKey, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_type_in_the_header_alone_is_enough()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.Forbidden, "{}", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.CreateRepositoryAsync(new EcrRepositoryCreation("app", null), CancellationToken.None));

        Assert.Contains("failed: AccessDeniedException: (no message) (HTTP 403 Forbidden)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ecr:CreateRepository", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_html_403_from_a_proxy_gives_a_clear_message()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenBody(HttpStatusCode.Forbidden, "<html><head><title>Access Denied</title></head><body><h1>Blocked by the corporate proxy</h1></body></html>", "text/html");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.GetAuthorizationAsync(null, CancellationToken.None));

        Assert.Contains("ECR GetAuthorizationToken in eu-west-3 (https://api.ecr.eu-west-3.amazonaws.com/) failed: HTTP 403 Forbidden with 'Access Denied Blocked by the corporate proxy' (text/html), which is not an AWS error", exception.Message, StringComparison.Ordinal);
        Assert.Contains("proxy", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, harness.Stub.Attempts);
    }

    [Fact]
    public async Task A_persistent_html_503_is_reported_after_the_retries()
    {
        using var harness = new EcrClientHarness();
        for (var i = 0; i < 3; i++)
        {
            harness.Stub.ThenBody(HttpStatusCode.ServiceUnavailable, "<html><body>Service Unavailable</body></html>", "text/html");
        }

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None));

        Assert.Equal(3, harness.Stub.Attempts);
        Assert.Contains("failed after 3 attempts: HTTP 503 Service Unavailable with 'Service Unavailable' (text/html)", exception.Message, StringComparison.Ordinal);
    }

    private static Task Call(EcrClient client, string operation) => operation switch
    {
        "GetAuthorizationToken" => client.GetAuthorizationAsync(null, CancellationToken.None),
        "DescribeRepositories" => client.DescribeRepositoryAsync("app", null, CancellationToken.None),
        "CreateRepository" => client.CreateRepositoryAsync(new EcrRepositoryCreation("app", null), CancellationToken.None),
        "BatchGetImage" => client.BatchGetImageAsync("app", null, "v1", CancellationToken.None),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}

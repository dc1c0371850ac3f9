using System.Text;
using Amazon.Runtime;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Tests.Aws;

public sealed class AwsRequestSignerTests
{
    private static readonly Dictionary<string, string> Headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-Amz-Target"] = "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
        ["Content-Type"] = "application/x-amz-json-1.1",
    };

    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    // AWS's Signature Version 4 test suite (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html;
    // the files as mirrored in github.com/bazelbuild/bazel, third_party/aws-sig-v4-test-suite/: post-vanilla,
    // post-x-www-form-urlencoded and post-sts-token/post-sts-header-before, each case's .req and .authz). Every case is
    // signed with these credentials, at this time, for this region and the service named "service".
    private const string SuiteAccessKey = "AKIDEXAMPLE";
    private const string SuiteSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string SuiteSessionToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    public static TheoryData<string, string?, string, string?, string> SuiteCases { get; } = new()
    {
        // POST / with Host and X-Amz-Date only, and no body.
        { "post-vanilla", null, string.Empty, null, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },

        // A body and its Content-Type, both signed.
        { "post-x-www-form-urlencoded", "application/x-www-form-urlencoded", "Param1=value1", null, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },

        // Temporary credentials: X-Amz-Security-Token is part of the canonical request.
        { "post-sts-header-before", null, string.Empty, SuiteSessionToken, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
    };

    [Theory]
    [MemberData(nameof(SuiteCases))]
    public void The_signature_is_the_one_AWS_publishes_for_its_test_suite(string suiteCase, string? contentType, string body, string? sessionToken, string authorization)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (contentType is not null)
        {
            headers["Content-Type"] = contentType;
        }

        var signed = new AwsRequestSigner("us-east-1", "service")
            .Sign(new Uri("https://example.amazonaws.com/"), headers, Encoding.UTF8.GetBytes(body), new ImmutableCredentials(SuiteAccessKey, SuiteSecretKey, sessionToken), SuiteTime)
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);

        Assert.True(authorization == signed["Authorization"], $"{suiteCase}: expected {authorization}, signed {signed["Authorization"]}");
        Assert.Equal("20150830T123600Z", signed["X-Amz-Date"]);
        Assert.Equal(sessionToken, signed.GetValueOrDefault("X-Amz-Security-Token"));
        Assert.False(signed.ContainsKey("X-Amz-Content-SHA256"), "only S3 needs the body's hash as a header; the published cases have none");
    }

    [Fact]
    public void The_signature_is_scoped_to_the_region_and_ecr()
    {
        var signed = Sign("cn-north-1", new Uri("https://api.ecr.cn-north-1.amazonaws.com.cn"), new ImmutableCredentials("AKIDEXAMPLE", "secret", null));

        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/cn-north-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$", signed["Authorization"]);
        Assert.Equal("20261127T120000Z", signed["X-Amz-Date"]);
        Assert.False(signed.ContainsKey("Host"), "HttpClient sets Host itself");
        Assert.False(signed.ContainsKey("X-Amz-Security-Token"));
    }

    [Fact]
    public void A_session_token_is_sent_and_signed()
    {
        var signed = Sign("us-east-1", new Uri("http://127.0.0.1:5055"), new ImmutableCredentials("ASIAEXAMPLE", "secret", "the-session-token"));

        Assert.Equal("the-session-token", signed["X-Amz-Security-Token"]);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target", signed["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_twice_gives_a_fresh_signature_set()
    {
        // One signer serves every call of a client: nothing of one signing may stay in the next (a session token
        // of expired credentials, a signed-header list).
        var signer = new AwsRequestSigner("us-east-1", "ecr");
        var endpoint = new Uri("https://api.ecr.us-east-1.amazonaws.com");
        var body = Encoding.UTF8.GetBytes("{}");

        var first = signer.Sign(endpoint, Headers, body, new ImmutableCredentials("ASIAEXAMPLE", "secret", "the-session-token"), Now).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var second = signer.Sign(endpoint, Headers, body, new ImmutableCredentials("AKIDEXAMPLE", "secret", null), Now.AddSeconds(1)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);

        Assert.Equal("the-session-token", first["X-Amz-Security-Token"]);
        Assert.False(second.ContainsKey("X-Amz-Security-Token"));
        Assert.Contains("Credential=AKIDEXAMPLE/", second["Authorization"], StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,", second["Authorization"], StringComparison.Ordinal);
        Assert.Equal("20261127T120001Z", second["X-Amz-Date"]);
        Assert.Equal(2, Headers.Count);
    }

    private static Dictionary<string, string> Sign(string region, Uri endpoint, ImmutableCredentials credentials)
        => new AwsRequestSigner(region, "ecr")
            .Sign(endpoint, Headers, Encoding.UTF8.GetBytes("{}"), credentials, Now)
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
}

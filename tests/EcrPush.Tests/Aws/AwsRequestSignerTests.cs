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

    [Fact]
    public void The_signature_is_scoped_to_the_region_and_ecr()
    {
        var signed = Sign("cn-north-1", new Uri("https://api.ecr.cn-north-1.amazonaws.com.cn"), new ImmutableCredentials("AKIDEXAMPLE", "secret", null));

        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/cn-north-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$", signed["Authorization"]);
        Assert.Matches(@"^\d{8}T\d{6}Z$", signed["X-Amz-Date"]);
        Assert.False(signed.ContainsKey("Host"), "HttpClient sets Host itself");
        Assert.False(signed.ContainsKey("X-Amz-Security-Token"));
    }

    [Fact]
    public void A_session_token_is_sent_and_signed()
    {
        var signed = Sign("us-east-1", new Uri("http://127.0.0.1:5055"), new ImmutableCredentials("ASIAEXAMPLE", "secret", "the-session-token"));

        Assert.Equal("the-session-token", signed["X-Amz-Security-Token"]);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target", signed["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_twice_gives_a_fresh_signature_set()
    {
        // One signer serves every call of a client: nothing of one signing may stay in the next (a session token
        // of expired credentials, a signed-header list).
        var signer = new AwsRequestSigner("us-east-1", "ecr");
        var endpoint = new Uri("https://api.ecr.us-east-1.amazonaws.com");
        var body = Encoding.UTF8.GetBytes("{}");

        var first = signer.Sign(endpoint, Headers, body, new ImmutableCredentials("ASIAEXAMPLE", "secret", "the-session-token")).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var second = signer.Sign(endpoint, Headers, body, new ImmutableCredentials("AKIDEXAMPLE", "secret", null)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);

        Assert.Equal("the-session-token", first["X-Amz-Security-Token"]);
        Assert.False(second.ContainsKey("X-Amz-Security-Token"));
        Assert.Contains("Credential=AKIDEXAMPLE/", second["Authorization"], StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target,", second["Authorization"], StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Sign(string region, Uri endpoint, ImmutableCredentials credentials)
        => new AwsRequestSigner(region, "ecr")
            .Sign(endpoint, Headers, Encoding.UTF8.GetBytes("{}"), credentials)
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
}

using System.Text;
using System.Text.Json;
using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Tests.Aws;

public sealed class EcrTokenDecoderTests
{
    private const string Where = "eu-west-3, https://api.ecr.eu-west-3.amazonaws.com/";

    [Fact]
    public void The_token_is_base64_of_user_and_password()
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:eyJwYXlsb2FkIjoi:with:colons"));

        Assert.Equal(("AWS", "eyJwYXlsb2FkIjoi:with:colons"), EcrTokenDecoder.DecodeToken(token, Where));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm8tY29sb24=")]
    [InlineData("OnBhc3N3b3Jk")]
    [InlineData("QVdTOg==")]
    public void A_malformed_token_is_refused_without_being_quoted(string token)
    {
        var exception = Assert.Throws<EcrPushException>(() => EcrTokenDecoder.DecodeToken(token, Where));

        Assert.DoesNotContain(token, exception.Message, StringComparison.Ordinal);
        Assert.Contains("GetAuthorizationToken", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://123456789012.dkr.ecr.eu-west-3.amazonaws.com", "123456789012.dkr.ecr.eu-west-3.amazonaws.com")]
    [InlineData("http://localhost:5000", "localhost:5000")]
    [InlineData("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")]
    public void The_proxy_endpoint_is_taken_as_given(string proxyEndpoint, string registryHost)
    {
        var data = new AuthorizationDataDto { AuthorizationToken = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:p")), ProxyEndpoint = proxyEndpoint, ExpiresAt = DateTimeOffset.UnixEpoch };

        Assert.Equal(registryHost, EcrTokenDecoder.Decode(data, Where).RegistryHost);
    }

    [Fact]
    public void The_password_stays_out_of_ToString()
    {
        var data = new AuthorizationDataDto { AuthorizationToken = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:hunter2")), ProxyEndpoint = "https://r.example", ExpiresAt = DateTimeOffset.UnixEpoch };

        Assert.DoesNotContain("hunter2", EcrTokenDecoder.Decode(data, Where).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1420070400", 1420070400000)]
    [InlineData("1.4200704E9", 1420070400000)]
    [InlineData("1800000000.123", 1800000000123)]
    [InlineData("\"1800000000\"", 1800000000000)]
    [InlineData("\"2027-01-02T03:04:05Z\"", 1798859045000)]
    public void ExpiresAt_reads_epoch_seconds_and_lenient_strings(string json, long unixMilliseconds)
    {
        var data = JsonSerializer.Deserialize($$"""{"authorizationData":[{"expiresAt":{{json}}}]}""", EcrJsonContext.Default.GetAuthorizationTokenResponse);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds), data!.AuthorizationData![0].ExpiresAt);
    }
}

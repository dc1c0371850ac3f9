using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Aws;

/// <summary>Expected hosts read from ECR's endpoint-rule-set-1.json and the partitions' dnsSuffix / dualStackDnsSuffix.</summary>
public sealed class EcrEndpointTests
{
    [Theory]
    [InlineData("us-east-1", false, false, "https://api.ecr.us-east-1.amazonaws.com/", "aws")]
    [InlineData("us-east-1", true, false, "https://api.ecr-fips.us-east-1.amazonaws.com/", "aws")]
    [InlineData("us-east-1", false, true, "https://ecr.us-east-1.api.aws/", "aws")]
    [InlineData("us-east-1", true, true, "https://ecr-fips.us-east-1.api.aws/", "aws")]
    [InlineData("eu-west-3", false, false, "https://api.ecr.eu-west-3.amazonaws.com/", "aws")]
    [InlineData("il-central-1", false, false, "https://api.ecr.il-central-1.amazonaws.com/", "aws")]
    [InlineData("cn-north-1", false, false, "https://api.ecr.cn-north-1.amazonaws.com.cn/", "aws-cn")]
    [InlineData("cn-northwest-1", false, false, "https://api.ecr.cn-northwest-1.amazonaws.com.cn/", "aws-cn")]
    [InlineData("cn-north-1", true, false, "https://api.ecr-fips.cn-north-1.amazonaws.com.cn/", "aws-cn")]
    [InlineData("cn-north-1", false, true, "https://ecr.cn-north-1.api.amazonwebservices.com.cn/", "aws-cn")]
    [InlineData("cn-north-1", true, true, "https://ecr-fips.cn-north-1.api.amazonwebservices.com.cn/", "aws-cn")]
    [InlineData("us-gov-west-1", false, false, "https://api.ecr.us-gov-west-1.amazonaws.com/", "aws-us-gov")]
    [InlineData("us-gov-east-1", true, false, "https://api.ecr-fips.us-gov-east-1.amazonaws.com/", "aws-us-gov")]
    [InlineData("us-gov-west-1", false, true, "https://ecr.us-gov-west-1.api.aws/", "aws-us-gov")]
    [InlineData("us-gov-west-1", true, true, "https://ecr-fips.us-gov-west-1.api.aws/", "aws-us-gov")]
    [InlineData("us-iso-east-1", false, false, "https://api.ecr.us-iso-east-1.c2s.ic.gov/", "aws-iso")]
    [InlineData("us-iso-east-1", true, false, "https://api.ecr-fips.us-iso-east-1.c2s.ic.gov/", "aws-iso")]
    [InlineData("us-iso-east-1", false, true, "https://ecr.us-iso-east-1.api.aws.ic.gov/", "aws-iso")]
    [InlineData("us-isob-east-1", false, false, "https://api.ecr.us-isob-east-1.sc2s.sgov.gov/", "aws-iso-b")]
    [InlineData("us-isob-east-1", false, true, "https://ecr.us-isob-east-1.api.aws.scloud/", "aws-iso-b")]
    [InlineData("eu-isoe-west-1", false, false, "https://api.ecr.eu-isoe-west-1.cloud.adc-e.uk/", "aws-iso-e")]
    [InlineData("eu-isoe-west-1", true, true, "https://ecr-fips.eu-isoe-west-1.api.cloud-aws.adc-e.uk/", "aws-iso-e")]
    [InlineData("us-isof-south-1", false, false, "https://api.ecr.us-isof-south-1.csp.hci.ic.gov/", "aws-iso-f")]
    [InlineData("us-isof-east-1", false, true, "https://ecr.us-isof-east-1.api.aws.hci.ic.gov/", "aws-iso-f")]
    [InlineData("eusc-de-east-1", false, false, "https://api.ecr.eusc-de-east-1.amazonaws.eu/", "aws-eusc")]
    [InlineData("eusc-de-east-1", false, true, "https://ecr.eusc-de-east-1.api.amazonwebservices.eu/", "aws-eusc")]
    [InlineData("xx-future-9", false, false, "https://api.ecr.xx-future-9.amazonaws.com/", "aws")]
    public void The_partition_endpoint_follows_the_rule_set(string region, bool fips, bool dualStack, string expected, string partition)
    {
        var endpoint = EcrEndpoint.Resolve(new AwsOptions { UseFipsEndpoint = fips, UseDualStackEndpoint = dualStack }, region, new FakeEnvironment());

        Assert.Equal(expected, endpoint.Url.ToString());
        Assert.Equal(region, endpoint.SigningRegion);
        Assert.StartsWith($"the {partition} partition's endpoint for {region}", endpoint.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Fips_and_dual_stack_can_come_from_the_environment()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.FipsVariable] = "TRUE", [EcrEndpoint.DualStackVariable] = "true" };

        Assert.Equal("https://ecr-fips.us-west-2.api.aws/", EcrEndpoint.Resolve(new AwsOptions(), "us-west-2", environment).Url.ToString());
    }

    [Fact]
    public void The_settings_win_over_the_environment_flags()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.FipsVariable] = "true" };

        Assert.Equal("https://api.ecr.us-west-2.amazonaws.com/", EcrEndpoint.Resolve(new AwsOptions { UseFipsEndpoint = false }, "us-west-2", environment).Url.ToString());
    }

    [Fact]
    public void An_invalid_flag_is_refused()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.DualStackVariable] = "yes" };

        var exception = Assert.Throws<EcrPushException>(() => EcrEndpoint.Resolve(new AwsOptions(), "us-west-2", environment));
        Assert.Contains("AWS_USE_DUALSTACK_ENDPOINT", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_explicit_endpoint_comes_first()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.ServiceVariable] = "http://ecr.local:1", [EcrEndpoint.GlobalVariable] = "http://all.local:2" };

        var endpoint = EcrEndpoint.Resolve(new AwsOptions { EndpointUrl = new Uri("http://127.0.0.1:5055") }, "cn-north-1", environment);

        Assert.Equal("http://127.0.0.1:5055/", endpoint.Url.ToString());
        Assert.Equal("cn-north-1", endpoint.SigningRegion);
        Assert.Equal("the EcrEndpointUrl setting", endpoint.Source);
    }

    [Fact]
    public void The_service_variable_comes_before_the_global_one()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.ServiceVariable] = "http://ecr.local:1", [EcrEndpoint.GlobalVariable] = "http://all.local:2" };

        var endpoint = EcrEndpoint.Resolve(new AwsOptions(), "us-east-1", environment);

        Assert.Equal("http://ecr.local:1/", endpoint.Url.ToString());
        Assert.Equal("the environment variable AWS_ENDPOINT_URL_ECR", endpoint.Source);
    }

    [Fact]
    public void The_global_variable_is_used_alone()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.GlobalVariable] = "http://all.local:2" };

        Assert.Equal("http://all.local:2/", EcrEndpoint.Resolve(new AwsOptions(), "us-east-1", environment).Url.ToString());
    }

    [Fact]
    public void Configured_endpoints_can_be_ignored()
    {
        var environment = new FakeEnvironment
        {
            [EcrEndpoint.ServiceVariable] = "http://ecr.local:1",
            [EcrEndpoint.GlobalVariable] = "http://all.local:2",
            [EcrEndpoint.IgnoreConfiguredVariable] = "true",
        };

        Assert.Equal("https://api.ecr.us-east-1.amazonaws.com/", EcrEndpoint.Resolve(new AwsOptions(), "us-east-1", environment).Url.ToString());

        // The explicit setting is code, not configuration: it still applies.
        Assert.Equal("http://127.0.0.1:5055/", EcrEndpoint.Resolve(new AwsOptions { EndpointUrl = new Uri("http://127.0.0.1:5055") }, "us-east-1", environment).Url.ToString());
    }

    [Fact]
    public void A_variable_that_is_not_a_url_is_refused()
    {
        var environment = new FakeEnvironment { [EcrEndpoint.ServiceVariable] = "localhost:4566" };

        var exception = Assert.Throws<EcrPushException>(() => EcrEndpoint.Resolve(new AwsOptions(), "us-east-1", environment));
        Assert.Contains("AWS_ENDPOINT_URL_ECR", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, "FIPS")]
    [InlineData(false, true, "dual-stack")]
    public void A_custom_endpoint_does_not_combine_with_a_variant(bool fips, bool dualStack, string variant)
    {
        var options = new AwsOptions { EndpointUrl = new Uri("http://127.0.0.1:5055"), UseFipsEndpoint = fips, UseDualStackEndpoint = dualStack };

        var exception = Assert.Throws<EcrPushException>(() => EcrEndpoint.Resolve(options, "us-east-1", new FakeEnvironment()));
        Assert.Contains(variant, exception.Message, StringComparison.Ordinal);
    }
}

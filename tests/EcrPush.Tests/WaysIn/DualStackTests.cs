using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.WaysIn;

/// <summary>
/// Dual-stack (IPv4 and IPv6): the setting, AWS_USE_DUALSTACK_ENDPOINT and the profile's use_dualstack_endpoint choose the
/// API's dual-stack endpoint (ECR's from its rule set, ECR Public's as AWS documents it) and the registry's dual-stack
/// host, derived from the token's by AWS's documented rule in one place; the references carry the host the push used.
/// </summary>
public sealed class DualStackTests : IDisposable
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly AwsHome _home = new();
    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();
    private readonly FakeRegistry _registry = new();

    public DualStackTests()
    {
        _engine.Tags["web:1"] = ImageId;
        _engine.Registry = _registry;
    }

    public void Dispose()
    {
        _registry.Dispose();
        _home.Dispose();
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com", "123456789012.dkr-ecr.us-east-1.on.aws")]
    [InlineData("210987654321.dkr.ecr.eu-central-2.amazonaws.com", "210987654321.dkr-ecr.eu-central-2.on.aws")]
    [InlineData("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "123456789012.dkr-ecr-fips.us-gov-west-1.on.aws")]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com:443", "123456789012.dkr-ecr.us-east-1.on.aws:443")]
    [InlineData("public.ecr.aws", "ecr-public.aws.com")]
    [InlineData("123456789012.dkr-ecr.us-east-1.on.aws", "123456789012.dkr-ecr.us-east-1.on.aws")]
    [InlineData("ecr-public.aws.com", "ecr-public.aws.com")]
    public void The_dual_stack_host_is_derived_from_the_token_s_host_by_AWS_s_documented_rule(string host, string dualStack)
        => Assert.Equal(dualStack, DualStackRegistry.HostOf(host));

    [Fact]
    public Task A_host_without_a_documented_dual_stack_name_is_a_named_error_not_a_guess()
        => Verify(Assert.Throws<EcrPushException>(() => DualStackRegistry.HostOf("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).Message);

    [Theory]
    [InlineData(false, "https://api.ecr-public.us-east-1.amazonaws.com/")]
    [InlineData(true, "https://ecr-public.us-east-1.api.aws/")]
    public void ECR_Public_s_endpoint_is_in_us_east_1_whatever_the_region(bool dualStack, string expected)
    {
        var endpoint = EcrEndpoint.ResolvePublic(new AwsOptions { Region = "ap-southeast-2", UseDualStackEndpoint = dualStack }, new FakeEnvironment());

        Assert.Equal((expected, "us-east-1", dualStack), (endpoint.Url.ToString(), endpoint.SigningRegion, endpoint.DualStack));
    }

    [Fact]
    public void ECR_Public_s_endpoint_comes_from_its_own_variable_and_has_no_FIPS()
    {
        var custom = EcrEndpoint.ResolvePublic(new AwsOptions(), new FakeEnvironment { [EcrEndpoint.PublicServiceVariable] = "http://127.0.0.1:4566", [EcrEndpoint.ServiceVariable] = "http://127.0.0.1:1" });
        var fips = Assert.Throws<EcrPushException>(() => EcrEndpoint.ResolvePublic(new AwsOptions(), new FakeEnvironment { [EcrEndpoint.FipsVariable] = "true" }));

        Assert.Equal(("http://127.0.0.1:4566/", "the environment variable AWS_ENDPOINT_URL_ECR_PUBLIC"), (custom.Url.ToString(), custom.Source));
        Assert.Equal("A FIPS endpoint is asked for (the environment variable AWS_USE_FIPS_ENDPOINT), but the destination is ECR Public, which has no FIPS endpoint. Push to ECR Public without FIPS (UseFipsEndpoint off for that push), or push to a private registry.", fips.Message);
    }

    [Fact]
    public void The_profile_s_use_dualstack_endpoint_turns_it_on_after_the_setting_and_the_variable()
    {
        _home.WriteAwsFile("config", "[default]\nregion = eu-west-1\nuse_dualstack_endpoint = true\n[profile ipv4]\nuse_dualstack_endpoint = false\n");
        var environment = _home.Environment();

        Assert.Equal("https://ecr.eu-west-1.api.aws/", EcrEndpoint.Resolve(new AwsOptions(), "eu-west-1", environment).Url.ToString());
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", EcrEndpoint.Resolve(new AwsOptions { Profile = "ipv4" }, "eu-west-1", environment).Url.ToString());
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", EcrEndpoint.Resolve(new AwsOptions { UseDualStackEndpoint = false }, "eu-west-1", environment).Url.ToString());
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", EcrEndpoint.Resolve(new AwsOptions(), "eu-west-1", _home.Environment((EcrEndpoint.DualStackVariable, "false"))).Url.ToString());
        Assert.Equal((true, "use_dualstack_endpoint of the profile 'default'"), EcrEndpoint.UseDualStack(new AwsOptions(), environment));
    }

    [Fact]
    public async Task A_dual_stack_push_writes_to_the_dual_stack_hosts_and_the_result_and_output_carry_them()
    {
        var pusher = new Pusher(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => _registry, RetryPolicy = TestRegistries.NoWaits };

        var result = await pusher.PushAsync(
            new EcrPushSettings().SetRegion("us-east-1").SetSourceImageName("web:1").SetRepositoryName("team/web").EnableAutoCreateRepository().EnableUseDualStackEndpoint()
                .AddDestinations(new EcrDestination("eu-west-1"), new EcrDestination { PublicRegistry = true }),
            CancellationToken.None);

        Assert.Equal(["123456789012.dkr-ecr.us-east-1.on.aws/team/web:latest", "123456789012.dkr-ecr.eu-west-1.on.aws/team/web:latest", "ecr-public.aws.com/fakealias/team/web:latest"], result.AllImageReferences);
        Assert.Equal(["123456789012.dkr-ecr.us-east-1.on.aws/team/web:latest"], _engine.Pushed);
        Assert.Equal(["latest"], _registry.Tags("ecr-public.aws.com", "fakealias/team/web"));
        Assert.DoesNotContain(_registry.Requests, r => r.Host.EndsWith(".amazonaws.com", StringComparison.Ordinal) || r.Host == "public.ecr.aws");
        Assert.Equal("123456789012.dkr-ecr.us-east-1.on.aws/team/web@" + result.Digest, result.DigestReference);
    }
}

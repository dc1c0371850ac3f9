using System.Net;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Reliability;

/// <summary>
/// The proxy variables as the ECR calls read them: at each request, with the conventions of curl, Go (dockerd) and
/// the AWS CLI. HttpClient.DefaultProxy, read once per process, ignores NO_PROXY=* and the subdomains of a bare
/// name (measured on .NET 10); the integration tests show the same through tinyproxy.
/// </summary>
public sealed class ProxyEnvironmentTests
{
    private static readonly Uri Ecr = new("https://api.ecr.us-east-1.amazonaws.com");
    private static readonly Uri Moto = new("http://127.0.0.1:5000");

    public static TheoryData<string, string, string?> Cases => new()
    {
        // variables (name=value; …), endpoint, expected proxy (null: direct)
        { "HTTPS_PROXY=http://proxy:3128", Ecr.ToString(), "http://proxy:3128/" },
        { "HTTPS_PROXY=proxy:3128", Ecr.ToString(), "http://proxy:3128/" },
        { "HTTPS_PROXY=http://proxy:3128", Moto.ToString(), null },
        { "HTTP_PROXY=http://proxy:3128", Moto.ToString(), "http://proxy:3128/" },
        { "HTTP_PROXY=http://proxy:3128", Ecr.ToString(), null },
        { "ALL_PROXY=http://all:1", Ecr.ToString(), "http://all:1/" },
        { "HTTPS_PROXY=http://upper:1;https_proxy=http://lower:2", Ecr.ToString(), "http://lower:2/" },
        { "HTTP_PROXY=http://proxy:3128;REQUEST_METHOD=GET", Moto.ToString(), null },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=*", Ecr.ToString(), null },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=amazonaws.com", Ecr.ToString(), null },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=.amazonaws.com", Ecr.ToString(), null },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=*.amazonaws.com", Ecr.ToString(), null },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=xamazonaws.com", Ecr.ToString(), "http://proxy:3128/" },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=api.ecr.us-east-1.amazonaws.com:443", Ecr.ToString(), null },
        { "HTTPS_PROXY=http://proxy:3128;NO_PROXY=api.ecr.us-east-1.amazonaws.com:8443", Ecr.ToString(), "http://proxy:3128/" },
        { "HTTP_PROXY=http://proxy:3128;NO_PROXY=localhost", Moto.ToString(), "http://proxy:3128/" },
        { "HTTP_PROXY=http://proxy:3128;NO_PROXY= localhost , 127.0.0.1 ", Moto.ToString(), null },
        { "HTTP_PROXY=http://proxy:3128;NO_PROXY=127.0.0.0/8", Moto.ToString(), null },
        { "HTTP_PROXY=http://proxy:3128;NO_PROXY=10.0.0.0/8", Moto.ToString(), "http://proxy:3128/" },
        { "HTTP_PROXY=http://proxy:3128;NO_PROXY=[::1]", "http://[::1]:5000", null },
        { "HTTP_PROXY=http://proxy:3128;no_proxy=example.com;NO_PROXY=127.0.0.1", Moto.ToString(), "http://proxy:3128/" },
        { "HTTP_PROXY=http://bob:secret@proxy:3128", Moto.ToString(), "http://proxy:3128/" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_variables_choose_the_proxy_for_each_endpoint(string variables, string endpoint, string? expected)
    {
        var proxy = new EnvironmentProxy(Environment(variables));
        var destination = new Uri(endpoint);

        Assert.Equal(expected is null, proxy.IsBypassed(destination));
        if (expected is not null)
        {
            Assert.Equal(new Uri(expected), proxy.GetProxy(destination));
        }
    }

    [Fact]
    public void The_variables_are_read_at_each_request_not_once()
    {
        var environment = new FakeEnvironment();
        var proxy = new EnvironmentProxy(environment);
        environment["HTTP_PROXY"] = "http://first:1";
        Assert.Equal(new Uri("http://first:1/"), proxy.GetProxy(Moto));

        environment["HTTP_PROXY"] = "http://second:2";
        Assert.Equal(new Uri("http://second:2/"), proxy.GetProxy(Moto));

        environment["NO_PROXY"] = "127.0.0.1";
        Assert.True(proxy.IsBypassed(Moto));
    }

    [Fact]
    public void With_no_proxy_variable_at_all_the_platform_default_decides()
    {
        var environment = new FakeEnvironment();

        Assert.Null(EnvironmentProxy.Choose(Ecr, environment));
        Assert.Equal("directly (no proxy variable is set)", EcrHttpClientFactory.DescribeEnvironmentProxy(Ecr, environment));
    }

    [Fact]
    public void The_proxy_user_and_password_come_from_the_variable_and_never_show_in_the_description()
    {
        var environment = Environment("HTTPS_PROXY=http://bob:p%40ss@proxy:3128");
        var proxy = new EnvironmentProxy(environment);

        var credential = proxy.Credentials!.GetCredential(new Uri("http://proxy:3128"), "Basic");
        Assert.Equal(("bob", "p@ss"), (credential!.UserName, credential.Password));
        Assert.Null(proxy.Credentials.GetCredential(new Uri("http://other:3128"), "Basic"));
        var description = EcrHttpClientFactory.DescribeEnvironmentProxy(Ecr, environment);
        Assert.Equal("through the proxy http://proxy:3128/ (from HTTPS_PROXY)", description);
        Assert.DoesNotContain("p%40ss", description, StringComparison.Ordinal);
    }

    [Fact]
    public void The_handler_without_a_proxy_setting_uses_the_variables_and_with_one_ignores_them()
    {
        var environment = Environment("HTTPS_PROXY=http://env:1");
        using var fromEnvironment = EcrHttpClientFactory.CreateHandler(null, environment);
        using var explicitProxy = EcrHttpClientFactory.CreateHandler(new Uri("http://set:2"), environment);

        Assert.Equal(new Uri("http://env:1/"), fromEnvironment.Proxy!.GetProxy(Ecr));
        Assert.Equal(new Uri("http://set:2/"), explicitProxy.Proxy!.GetProxy(Ecr));
        Assert.IsType<WebProxy>(explicitProxy.Proxy);
    }

    private static FakeEnvironment Environment(string variables)
    {
        var environment = new FakeEnvironment();
        foreach (var pair in variables.Split(';'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            environment[pair[..equals]] = pair[(equals + 1)..];
        }

        return environment;
    }
}

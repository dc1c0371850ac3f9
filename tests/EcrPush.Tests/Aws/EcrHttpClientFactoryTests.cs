using System.Net;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Aws;

public sealed class EcrHttpClientFactoryTests
{
    [Fact]
    public void A_proxy_url_with_user_and_password_becomes_credentials()
    {
        var proxy = Assert.IsType<WebProxy>(EcrHttpClientFactory.CreateProxy(new Uri("http://bob:p%40ss@proxy.corp:3128"), new FakeEnvironment()));

        Assert.Equal(new Uri("http://proxy.corp:3128/"), proxy.Address);
        var credentials = Assert.IsType<NetworkCredential>(proxy.Credentials);
        Assert.Equal(("bob", "p@ss"), (credentials.UserName, credentials.Password));
    }

    [Fact]
    public void Without_the_proxy_setting_every_aws_call_reads_the_proxy_variables()
        => Assert.IsType<EnvironmentProxy>(EcrHttpClientFactory.CreateProxy(null, new FakeEnvironment()));

    [Fact]
    public void A_proxy_is_described_without_its_password()
        => Assert.Equal("http://proxy.corp:3128/", EcrHttpClientFactory.Describe(new Uri("http://bob:secret@proxy.corp:3128")));

    [Fact]
    public void Without_an_explicit_proxy_the_environment_default_applies()
    {
        using var handler = EcrHttpClientFactory.CreateHandler(null);

        // The proxy variables, read at each request (see Reliability/ProxyEnvironmentTests); HttpClient.DefaultProxy when none is set.
        Assert.IsType<EnvironmentProxy>(handler.Proxy);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public async Task A_proxy_asking_for_credentials_is_explained()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.Then((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ProxyAuthenticationRequired)));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.GetAuthorizationAsync(null, CancellationToken.None));

        Assert.Contains("HTTP 407 Proxy Authentication Required", exception.Message, StringComparison.Ordinal);
        Assert.Contains("http://user:password@proxy:port", exception.Message, StringComparison.Ordinal);
    }
}

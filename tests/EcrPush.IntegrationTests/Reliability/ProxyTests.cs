using System.Diagnostics;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// The ECR calls through a real proxy (tinyproxy): the proxy variables, read when the push runs, and the Proxy
/// setting. Measured here: .NET proxies loopback like any host (no implicit bypass, for the environment's proxy and
/// for a WebProxy alike), so moto on 127.0.0.1 shows the proxy's effect as a remote endpoint would.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ProxyTests(StackFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] ProxyVariables =
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

    private LocalEcrStack Stack => fixture.Stack;

    private string Moto => Stack.EcrEndpoint.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task HTTP_PROXY_set_while_the_process_runs_carries_the_ECR_calls_and_NO_PROXY_sends_them_direct()
    {
        await Stack.BuildImageAsync("rel-proxy:1");
        await using var proxy = await Tinyproxy.StartAsync();

        // Set now, long after this process made its first HTTP call: HttpClient.DefaultProxy would not see it.
        using (Variables(("HTTP_PROXY", proxy.Url.ToString())))
        {
            await PushAsync("rel-proxy", StackChecks.NewRepository("via-proxy"));
        }

        var proxied = await RequestsToMotoAsync(proxy, atLeast: 2);
        output.WriteLine("through tinyproxy: " + string.Join(" | ", proxied));
        Assert.InRange(proxied.Count, 2, 10);

        using (Variables(("HTTP_PROXY", proxy.Url.ToString()), ("NO_PROXY", "localhost, 127.0.0.1")))
        {
            await PushAsync("rel-proxy", StackChecks.NewRepository("no-proxy"));
        }

        await Task.Delay(300);
        Assert.Equal(proxied.Count, (await RequestsToMotoAsync(proxy, atLeast: 0)).Count);
    }

    [Fact]
    public async Task HTTPS_PROXY_carries_the_calls_to_an_https_endpoint_as_a_CONNECT_and_its_refusal_is_reported()
    {
        await Stack.BuildImageAsync("rel-proxy:1");
        await using var proxy = await Tinyproxy.StartAsync();
        var clock = Stopwatch.StartNew();

        // An https endpoint on this machine, so that even a client that ignored the proxy would stay on loopback;
        // the proxy refuses to tunnel to it (port 9 is not in its ConnectPort list).
        EcrPushException exception;
        using (Variables(("HTTPS_PROXY", proxy.Url.ToString()), ("AWS_ENDPOINT_URL_ECR", "https://localhost:9")))
        {
            exception = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync("rel-proxy", StackChecks.NewRepository("https-proxy")));
        }

        output.WriteLine($"{clock.Elapsed.TotalMilliseconds:0} ms: {exception.Message}");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Contains("The ECR API at https://localhost:9/", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"The proxy tunnel request to proxy '{proxy.Url}' failed with status code '403'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("CONNECT localhost:9 HTTP/1.1", proxy.Requests());
        Assert.Contains("Refused CONNECT method on port 9", proxy.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Proxy_setting_carries_the_ECR_calls_to_loopback_whatever_NO_PROXY_says()
    {
        await Stack.BuildImageAsync("rel-proxy:1");
        await using var proxy = await Tinyproxy.StartAsync();

        using (Variables(("NO_PROXY", "127.0.0.1")))
        {
            await EcrTasks.EcrPushAsync(s => s.SetProxy(proxy.Url.ToString())
                .SetSourceImageName("rel-proxy").SetSourceImageTag("1").SetRepositoryName(StackChecks.NewRepository("proxy-setting")).EnableAutoCreateRepository());
        }

        var proxied = await RequestsToMotoAsync(proxy, atLeast: 2);
        output.WriteLine("through tinyproxy: " + string.Join(" | ", proxied));
        Assert.InRange(proxied.Count, 2, 10);
    }

    private static EnvironmentScope Variables(params (string Name, string? Value)[] values)
        => new([.. ProxyVariables.Where(name => !values.Any(v => v.Name == name)).Select(name => (name, (string?)null)), .. values]);

    private static Task<EcrPushResult> PushAsync(string image, string repository)
        => EcrTasks.EcrPushAsync(s => s.SetSourceImageName(image).SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository());

    /// <summary>The proxy's request lines for moto; waits (bounded) for its log to show at least <paramref name="atLeast"/>.</summary>
    private async Task<IReadOnlyList<string>> RequestsToMotoAsync(Tinyproxy proxy, int atLeast)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var requests = proxy.Requests().Where(line => line.StartsWith($"POST {Moto}/ ", StringComparison.Ordinal)).ToList();
            if (requests.Count >= atLeast || clock.Elapsed > TimeSpan.FromSeconds(5))
            {
                return requests;
            }

            await Task.Delay(50);
        }
    }
}

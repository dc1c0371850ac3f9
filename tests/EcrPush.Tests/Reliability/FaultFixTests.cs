using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Ci;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Reliability;

/// <summary>Faults a close read of the code found (issue 11), each pinned by a test that fails without its fix.</summary>
public sealed class FaultFixTests
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();

    [Fact]
    public async Task Cancelling_a_push_to_several_destinations_after_one_finished_throws_OperationCanceledException()
    {
        _engine.Tags["web:1"] = ImageId;
        using var registry = new FakeRegistry();
        _engine.Registry = registry;
        _ecr.AddRepository("team/web");
        _ecr.AddRepository("team/web", region: "eu-west-1");
        using var cancellation = new CancellationTokenSource();

        // The first destination is done; the copy into the other is under way when the build is cancelled.
        registry.BeforeAnswer = async (request, ct) =>
        {
            if (request.RequestUri!.Host == FakeEcr.HostOf("eu-west-1") && request.Method == HttpMethod.Post)
            {
                await cancellation.CancelAsync();
                ct.ThrowIfCancellationRequested();
            }
        };
        var pusher = new Pusher(_ecr, _ => _engine, new TokenCache(_environment), _environment, _log) { RegistryHandler = () => registry, RetryPolicy = TestRegistries.NoWaits };
        var settings = new EcrPushSettings().SetSourceImageName("web").SetSourceImageTag("1").SetRepositoryName("team/web")
            .SetRegion("us-east-1").AddDestinations(new EcrDestination("eu-west-1"));

        var exception = await Record.ExceptionAsync(() => pusher.PushAsync(settings, cancellation.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(exception);
        Assert.Equal(["latest"], registry.Tags(FakeEcr.HostOf("us-east-1"), "team/web"));
        Assert.Empty(registry.Tags(FakeEcr.HostOf("eu-west-1"), "team/web"));
        Assert.Equal(["web:1"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_failed_token_fetch_that_only_a_cancelled_caller_saw_is_not_cached()
    {
        var cache = new TokenCache(_environment);
        var connection = await _ecr.ConnectAsync(new AwsOptions { Region = "us-east-1" }, CancellationToken.None);
        var release = new TaskCompletionSource();
        _ecr.TokenGate = call => call == 1 ? release.Task : Task.CompletedTask;
        _ecr.TokenFailure = new EcrPushException("ECR GetAuthorizationToken failed: ServerException.");
        using (var cancellation = new CancellationTokenSource())
        {
            var waiting = cache.GetAsync(connection, null, cancellation.Token);
            _ecr.TokenFailure = null;
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        // The fetch fails after its only caller gave up; a later push must ask again, not get that failure. Until the
        // failure has happened, a caller joins the fetch under way and gets it; after it, never again.
        release.SetResult();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        EcrAuthorization? token = null;
        while (token is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                token = await cache.GetAsync(connection, null, CancellationToken.None);
            }
            catch (EcrPushException exception) when (exception.Message.Contains("ServerException", StringComparison.Ordinal))
            {
                await Task.Delay(20);
            }
        }

        Assert.Equal("password-2", token?.Password);
        Assert.Equal(2, _ecr.TokenCalls);
    }

    [Fact]
    public void GitHub_mask_values_are_escaped_as_the_Actions_toolkit_escapes_command_data()
    {
        _environment["GITHUB_ACTIONS"] = "true";

        CiService.Detect(_environment).MaskSecret("50%off\r\nsecond line", _log);

        // Unescaped, the runner would mask "50%off" alone and print "second line" as it is.
        Assert.Equal(["OUT ::add-mask::50%25off%0D%0Asecond line"], _log.Lines);
    }

    [Theory]
    [InlineData(" http://builder:pr0xy-s3cret@proxy.example:3128", "Proxy")]
    [InlineData("socks5://builder:pr0xy-s3cret@proxy.example:1080", "Proxy")]
    [InlineData("http://builder:pr0xy-s3cret@ecr.example ", "EcrEndpointUrl")]
    public void A_URL_user_and_password_never_reach_a_settings_message(string value, string setting)
    {
        var settings = new EcrPushSettings().SetSourceImageName("web").SetRepositoryName("team/web");
        settings = setting == "Proxy" ? settings.SetProxy(value) : settings.SetEcrEndpointUrl(value);

        var exception = Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings));

        Assert.Contains(setting, exception.Message, StringComparison.Ordinal);
        Assert.Contains("://***@", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-s3cret", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("builder", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Neither_the_AWS_options_nor_the_push_plan_format_a_secret()
    {
        var plan = SettingsValidator.Validate(new EcrPushSettings()
            .SetSourceImageName("web").SetRepositoryName("team/web").SetRegion("us-east-1")
            .SetAwsAccessKeyId("AKIAFORMATTEST000001").SetAwsSecretAccessKey("format-secret-access-key").SetAwsSessionToken("format-session-token")
            .SetProxy("http://builder:pr0xy-s3cret@proxy.example:3128"));

        foreach (var text in new[] { plan.Aws.ToString(), plan.ToString(), $"{plan}", (plan.Aws with { Region = "eu-west-1" }).ToString() })
        {
            Assert.DoesNotContain("format-secret-access-key", text, StringComparison.Ordinal);
            Assert.DoesNotContain("format-session-token", text, StringComparison.Ordinal);
            Assert.DoesNotContain("pr0xy-s3cret", text, StringComparison.Ordinal);
            Assert.Contains("AKIAFORMATTEST000001", text, StringComparison.Ordinal);
            Assert.Contains("SecretAccessKey = ***", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void After_a_retried_CreateRepository_only_a_repository_made_since_the_first_attempt_with_the_settings_asked_is_ours()
    {
        var started = new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);
        var creation = new EcrRepositoryCreation("team/web", null) { TagMutability = "IMMUTABLE", ScanOnPush = true };
        var made = new EcrRepository("team/web", FakeEcr.Account, "uri", "IMMUTABLE", Created: false) { ScanOnPush = true, CreatedAt = started.AddSeconds(1) };

        Assert.True(EcrClient.IsOurCreation(made, creation, started));
        Assert.True(EcrClient.IsOurCreation(made with { CreatedAt = started.AddMinutes(-4) }, creation, started));
        Assert.False(EcrClient.IsOurCreation(made with { CreatedAt = started.AddMinutes(-6) }, creation, started));
        Assert.False(EcrClient.IsOurCreation(made with { CreatedAt = null }, creation, started));
        Assert.False(EcrClient.IsOurCreation(made with { TagMutability = "MUTABLE" }, creation, started));
        Assert.False(EcrClient.IsOurCreation(made with { ScanOnPush = false }, creation, started));
    }
}

using Ecr.Internal;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Tests.Fakes;

namespace Ecr.Tests;

/// <summary>
/// The engine's steps, with fakes behind its two seams: what the real stack cannot show on demand (token
/// expiry, a push failing half-way, cancellation at a chosen moment, CI variables).
/// </summary>
public sealed class PusherTests
{
    private const string ImageId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Target = FakeEcr.Host + "/team/web";

    private readonly FakeEcr _ecr = new();
    private readonly FakeDockerEngine _engine = new();
    private readonly FakeEnvironment _environment = new();
    private readonly RecordingLog _log = new();

    public PusherTests()
    {
        _engine.Tags["web:1.4.2"] = ImageId;
        _ecr.AddRepository("team/web");
    }

    private static EcrPushSettings Settings => new EcrPushSettings()
        .SetSourceImageName("web").SetSourceImageTag("1.4.2").SetRepositoryName("team/web");

    private Pusher CreatePusher(TokenCache? tokens = null)
        => new(_ecr, _ => _engine, tokens ?? new TokenCache(_environment), _environment, _log);

    [Fact]
    public async Task Pushes_every_tag_to_the_host_the_token_names_and_removes_the_tags_it_created()
    {
        var result = await CreatePusher().PushAsync(Settings.SetTargetTags("1.4.2", "latest"), CancellationToken.None);

        Assert.Equal($"{Target}:1.4.2", result.ImageReference);
        Assert.Equal([$"{Target}:1.4.2", $"{Target}:latest"], result.AllImageReferences);
        Assert.Equal(FakeDockerEngine.Digest, result.Digest);
        var only = Assert.Single(result.Destinations);
        Assert.Same(only, result.FirstDestination);
        Assert.Equal(Target, only.RepositoryUri);
        Assert.Equal("123456789012", only.RegistryId);
        Assert.False(only.RepositoryCreated);
        Assert.Equal([$"{Target}:1.4.2", $"{Target}:latest"], _engine.Pushed);
        Assert.All(_engine.PushCredentials, c => Assert.Equal((FakeEcr.Host, "AWS", "password-1"), (c.ServerAddress, c.Credentials.UserName, c.Credentials.Password)));
        Assert.Equal(["web:1.4.2"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_missing_repository_is_an_error_naming_the_setting_that_would_create_it()
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.SetRepositoryName("team/new"), CancellationToken.None));

        Assert.Contains("The ECR repository team/new does not exist", exception.Message, StringComparison.Ordinal);
        Assert.Contains("us-east-1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("EnableAutoCreateRepository()", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_engine.Pushed);
        Assert.Equal(0, _ecr.CreateCalls);
    }

    [Fact]
    public async Task Auto_create_creates_the_repository_and_a_concurrent_create_counts_as_success()
    {
        var created = await CreatePusher().PushAsync(Settings.SetRepositoryName("team/new").EnableAutoCreateRepository(), CancellationToken.None);
        Assert.True(created.FirstDestination.RepositoryCreated);

        _ecr.CreateRacesWithSomeoneElse = true;
        var raced = await CreatePusher().PushAsync(Settings.SetRepositoryName("team/other").EnableAutoCreateRepository(), CancellationToken.None);
        Assert.False(raced.FirstDestination.RepositoryCreated);
        Assert.Contains(_log.Lines, l => l.Contains("was created meanwhile by someone else", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_push_still_removes_the_tags_it_created()
    {
        _engine.OnPush = (_, tag) => tag == "latest"
            ? Task.FromException<string>(new EcrPushException("The push failed: blob upload unknown"))
            : Task.FromResult(FakeDockerEngine.Digest);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.SetTargetTags("1.4.2", "latest"), CancellationToken.None));

        Assert.Contains("blob upload unknown", exception.Message, StringComparison.Ordinal);
        Assert.Equal(["web:1.4.2"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_failed_push_into_a_repository_it_created_says_the_repository_stays()
    {
        _engine.OnPush = (_, _) => Task.FromException<string>(new EcrPushException("The push failed: 503"));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.SetRepositoryName("team/new").EnableAutoCreateRepository(), CancellationToken.None));

        Assert.StartsWith("The push failed: 503", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"The repository {FakeEcr.Host}/team/new was created by this push and stays, without this image; delete it, or push again.", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_push_and_removes_the_tags_it_created()
    {
        using var cancellation = new CancellationTokenSource();
        _engine.OnPush = async (_, _) =>
        {
            await cancellation.CancelAsync();
            cancellation.Token.ThrowIfCancellationRequested();
            return FakeDockerEngine.Digest;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CreatePusher().PushAsync(Settings.SetTargetTags("a", "b"), cancellation.Token));

        Assert.Equal(["web:1.4.2"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_tag_the_image_already_had_is_pushed_but_not_removed()
    {
        _engine.Tags[$"{Target}:1.4.2"] = ImageId;

        await CreatePusher().PushAsync(Settings.SetTargetTags("1.4.2"), CancellationToken.None);

        Assert.Contains($"{Target}:1.4.2", _engine.Tags.Keys);
    }

    [Fact]
    public async Task An_image_known_only_by_id_keeps_one_tag_so_that_it_is_not_deleted()
    {
        _engine.Tags.Clear();
        _engine.Tags["<none>:" + ImageId] = ImageId;

        await CreatePusher().PushAsync(new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId("0123456789ab").SetRepositoryName("team/web").SetTargetTags("a", "b"), CancellationToken.None);

        Assert.DoesNotContain($"{Target}:a", _engine.Tags.Keys);
        Assert.Contains($"{Target}:b", _engine.Tags.Keys);
        Assert.Contains(_log.Lines, l => l.StartsWith("WRN Kept the tag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_token_serves_concurrent_pushes_and_is_reused_until_near_expiry()
    {
        var tokens = new TokenCache(_environment);
        _ecr.TokenDelay = TimeSpan.FromMilliseconds(100);
        _ecr.TokenExpiry = () => _environment.Time.GetUtcNow().AddHours(12);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CreatePusher(tokens).PushAsync(Settings.SetTargetTags($"t{i}"), CancellationToken.None)));
        Assert.Equal(1, _ecr.TokenCalls);

        await CreatePusher(tokens).PushAsync(Settings, CancellationToken.None);
        Assert.Equal(1, _ecr.TokenCalls);

        _environment.Time.Advance(TimeSpan.FromHours(11.9));
        await CreatePusher(tokens).PushAsync(Settings, CancellationToken.None);
        Assert.Equal(2, _ecr.TokenCalls);
    }

    [Fact]
    public async Task A_token_past_its_expiry_is_used_once_and_never_reused()
    {
        var tokens = new TokenCache(_environment);
        _ecr.TokenExpiry = () => new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await CreatePusher(tokens).PushAsync(Settings, CancellationToken.None);
        await CreatePusher(tokens).PushAsync(Settings, CancellationToken.None);

        Assert.Equal(2, _ecr.TokenCalls);
        Assert.Equal(["password-1", "password-2"], _engine.PushCredentials.Select(c => c.Credentials.Password));
    }

    [Fact]
    public async Task A_failed_token_fetch_is_not_cached()
    {
        var tokens = new TokenCache(_environment);
        _ecr.TokenFailure = new EcrPushException("AccessDenied");
        await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher(tokens).PushAsync(Settings, CancellationToken.None));

        _ecr.TokenFailure = null;
        await CreatePusher(tokens).PushAsync(Settings, CancellationToken.None);
        Assert.Equal(2, _ecr.TokenCalls);
    }

    [Fact]
    public async Task On_Azure_Pipelines_secrets_are_masked_first_and_the_output_variable_is_set()
    {
        _environment["TF_BUILD"] = "True";
        var settings = Settings.SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").SetOutputVariable("WEB_IMAGE");

        await CreatePusher().PushAsync(settings, CancellationToken.None);

        Assert.Equal("OUT ##vso[task.setsecret]wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", _log.Lines[0]);
        Assert.Contains("OUT ##vso[task.setsecret]password-1", _log.Lines);
        Assert.Contains($"OUT ##vso[task.setvariable variable=WEB_IMAGE]{Target}:latest", _log.Lines);
        var firstNonMask = _log.Lines.Select((line, index) => (line, index)).First(l => !l.line.StartsWith("OUT ##vso[task.setsecret]", StringComparison.Ordinal)).index;
        Assert.Equal(1, firstNonMask);
        AssertNoSecretOutsideMaskCommands("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "password-1");
    }

    [Fact]
    public async Task On_GitHub_Actions_the_password_is_masked_and_the_output_and_environment_files_get_the_reference()
    {
        var output = Path.GetTempFileName();
        var env = Path.GetTempFileName();
        try
        {
            _environment["GITHUB_ACTIONS"] = "true";
            _environment["GITHUB_OUTPUT"] = output;
            _environment["GITHUB_ENV"] = env;

            await CreatePusher().PushAsync(Settings.SetOutputVariable("WEB_IMAGE"), CancellationToken.None);

            Assert.Contains("OUT ::add-mask::password-1", _log.Lines);
            Assert.Equal($"WEB_IMAGE={Target}:latest\n", await File.ReadAllTextAsync(output));
            Assert.Equal($"WEB_IMAGE={Target}:latest\n", await File.ReadAllTextAsync(env));
            AssertNoSecretOutsideMaskCommands("password-1");
        }
        finally
        {
            File.Delete(output);
            File.Delete(env);
        }
    }

    [Fact]
    public async Task On_TeamCity_the_output_variable_is_a_parameter()
    {
        _environment["TEAMCITY_VERSION"] = "2025.1";

        await CreatePusher().PushAsync(Settings.SetOutputVariable("WEB_IMAGE"), CancellationToken.None);

        Assert.Contains($"OUT ##teamcity[setParameter name='env.WEB_IMAGE' value='{Target}:latest']", _log.Lines);
    }

    [Fact]
    public async Task Without_a_CI_the_output_variable_is_reported_not_set()
    {
        await CreatePusher().PushAsync(Settings.SetOutputVariable("WEB_IMAGE"), CancellationToken.None);

        Assert.DoesNotContain(_log.Lines, l => l.StartsWith("OUT", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.Contains("No CI detected", StringComparison.Ordinal) && l.Contains($"{Target}:latest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_settings_fail_before_any_call()
    {
        await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.SetRepositoryName("Bad"), CancellationToken.None));

        Assert.Equal(0, _ecr.TokenCalls + _ecr.DescribeCalls + _ecr.CreateCalls);
        Assert.Empty(_engine.Pushed);
    }

    [Fact]
    public async Task A_connect_failure_is_reported_even_when_the_image_is_missing_too()
    {
        _ecr.ConnectFailure = new EcrPushException("No AWS region");
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.SetSourceImageName("missing"), CancellationToken.None));

        Assert.Equal("No AWS region", exception.Message);
    }

    [Fact]
    public async Task An_immutable_tag_that_already_holds_this_image_is_not_pushed_again()
    {
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image("sha256:aaaa", ImageId) });

        var result = await CreatePusher().PushAsync(Settings.SetTargetTags("1.4.2", "new"), CancellationToken.None);

        Assert.Equal([$"{Target}:new"], _engine.Pushed);
        Assert.Equal([$"{Target}:1.4.2", $"{Target}:new"], result.AllImageReferences);
        Assert.Contains(_log.Lines, l => l.Contains("The immutable tag 1.4.2 already holds this image", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rerun_into_an_immutable_repository_pushes_nothing_and_succeeds()
    {
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["1.4.2"] = FakeEcr.Image("sha256:aaaa", ImageId) });

        var result = await CreatePusher().PushAsync(Settings.SetTargetTags("1.4.2"), CancellationToken.None);

        Assert.Empty(_engine.Pushed);
        Assert.Equal("sha256:aaaa", result.Digest);
        Assert.Equal(["web:1.4.2"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task An_immutable_tag_holding_another_image_is_an_error_before_any_push()
    {
        _ecr.AddRepository("team/web", "IMMUTABLE", tags: new Dictionary<string, EcrManifest>(StringComparer.Ordinal) { ["latest"] = FakeEcr.Image("sha256:bbbb", "sha256:other") });

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CreatePusher().PushAsync(Settings.SetTargetTags("1.4.3", "latest"), CancellationToken.None));

        Assert.Contains($"The repository {Target} has IMMUTABLE tags", exception.Message, StringComparison.Ordinal);
        Assert.Contains("latest holds sha256:bbbb (image sha256:other)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was pushed", exception.Message, StringComparison.Ordinal);
        Assert.Empty(_engine.Pushed);
        Assert.Equal(["web:1.4.2"], _engine.Tags.Keys);
    }

    [Fact]
    public async Task A_mutable_repository_is_not_asked_for_its_images()
    {
        await CreatePusher().PushAsync(Settings, CancellationToken.None);

        Assert.Equal(0, _ecr.BatchGetImageCalls);
    }

    [Theory]
    [InlineData("IMMUTABLE", new string[0], "v1", true)]
    [InlineData("MUTABLE", new string[0], "v1", false)]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", new[] { "latest", "dev-*" }, "latest", false)]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", new[] { "latest", "dev-*" }, "dev-42", false)]
    [InlineData("IMMUTABLE_WITH_EXCLUSION", new[] { "latest", "dev-*" }, "1.0", true)]
    [InlineData("MUTABLE_WITH_EXCLUSION", new[] { "release-*-final" }, "release-2-final", true)]
    [InlineData("MUTABLE_WITH_EXCLUSION", new[] { "release-*-final" }, "release-2", false)]
    public void Tag_mutability_follows_the_exclusion_filters(string mutability, string[] filters, string tag, bool immutable)
        => Assert.Equal(immutable, new EcrRepository("r", "123456789012", "h/r", mutability, Created: false) { TagMutabilityExclusionFilters = filters }.IsTagImmutable(tag));

    private void AssertNoSecretOutsideMaskCommands(params string[] secrets)
    {
        foreach (var line in _log.Lines.Where(l => !l.StartsWith("OUT ##vso[task.setsecret]", StringComparison.Ordinal) && !l.StartsWith("OUT ::add-mask::", StringComparison.Ordinal)))
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
            }
        }
    }
}

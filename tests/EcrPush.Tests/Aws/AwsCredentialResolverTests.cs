using Amazon.Runtime;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Aws;

public sealed class AwsCredentialResolverTests : IDisposable
{
    private const string Region = "eu-west-3";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    private static readonly string[] SourcesInOrder =
    [
        "AwsCredentials setting", "AwsAccessKeyId and AwsSecretAccessKey settings", "AwsProfile setting", "AWS.AccessKeyID", "AWS_ACCESS_KEY_ID",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "the profile 'default'", "container credentials", "EC2 instance metadata", "SetAwsAccessKeyId",
    ];

    private readonly AwsHome _awsHome = new();
    private readonly RecordingLog _log = new();
    private int _sdkChainCalls;

    public void Dispose() => _awsHome.Dispose();

    [Fact]
    public async Task The_credentials_setting_comes_first()
    {
        var given = new BasicAWSCredentials("AKIAGIVEN", Secret);

        var (credentials, source, _) = await Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { Credentials = given, AccessKeyId = "AKIAOTHER", SecretAccessKey = "x" }, Region, CancellationToken.None);

        Assert.Same(given, credentials);
        Assert.Equal("the AwsCredentials setting (BasicAWSCredentials)", source);
    }

    [Fact]
    public async Task Keys_from_the_settings()
    {
        var (credentials, source, _) = await Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { AccessKeyId = "AKIASETTING", SecretAccessKey = Secret }, Region, CancellationToken.None);

        var keys = await credentials.GetCredentialsAsync();
        Assert.Equal(("AKIASETTING", Secret, false), (keys.AccessKey, keys.SecretKey, keys.UseToken));
        Assert.Equal("the AwsAccessKeyId and AwsSecretAccessKey settings", source);
        Assert.Equal(0, _sdkChainCalls);
    }

    [Fact]
    public async Task Keys_with_a_session_token()
    {
        var (credentials, _, _) = await Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { AccessKeyId = "ASIASETTING", SecretAccessKey = Secret, SessionToken = "session" }, Region, CancellationToken.None);

        var keys = await credentials.GetCredentialsAsync();
        Assert.Equal("session", keys.Token);
    }

    // Half a pair in the settings is SettingsValidator's to refuse, before any call; the task variables reach only this.
    [Theory]
    [InlineData("AKIAONLY", null, null, "the variable AWS.AccessKeyID (environment AWS_ACCESSKEYID) is set but the variable AWS.SecretAccessKey (environment AWS_SECRETACCESSKEY) is not")]
    [InlineData(null, Secret, null, "the variable AWS.SecretAccessKey (environment AWS_SECRETACCESSKEY) is set but the variable AWS.AccessKeyID (environment AWS_ACCESSKEYID) is not")]
    [InlineData(null, null, "session-token-value", "the variable AWS.SessionToken (environment AWS_SESSIONTOKEN) is set, but neither")]
    public async Task Half_a_key_pair_in_the_task_variables_is_refused(string? accessKeyId, string? secretAccessKey, string? sessionToken, string expected)
    {
        var environment = _awsHome.Environment([.. new[] { ("AWS_ACCESSKEYID", accessKeyId), ("AWS_SECRETACCESSKEY", secretAccessKey), ("AWS_SESSIONTOKEN", sessionToken) }.Where(v => v.Item2 is not null).Select(v => (v.Item1, v.Item2!))]);

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(environment).ResolveAsync(new AwsOptions(), Region, CancellationToken.None));

        Assert.Contains(expected, exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("session-token-value", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_profile_setting_reads_the_shared_files()
    {
        _awsHome.WriteAwsFile("credentials", $"[ci]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = {Secret}\n");

        var (credentials, source, _) = await Resolver(_awsHome.Environment(("AWS_ACCESSKEYID", "AKIAAZURE"), ("AWS_SECRETACCESSKEY", "azure"))).ResolveAsync(new AwsOptions { Profile = "ci" }, Region, CancellationToken.None);

        Assert.Equal("AKIAPROFILE", (await credentials.GetCredentialsAsync()).AccessKey);
        Assert.StartsWith("the profile 'ci' (AwsProfile) in ", source, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_awsHome.Path, ".aws", "credentials"), source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_profile_names_the_profile_and_the_files()
    {
        _awsHome.WriteAwsFile("credentials", $"[other]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = {Secret}\n");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { Profile = "release" }, Region, CancellationToken.None));

        Assert.Contains("The AWS profile 'release' (AwsProfile) was not found", exception.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_awsHome.Path, ".aws", "credentials"), exception.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_awsHome.Path, ".aws", "config"), exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, _sdkChainCalls);
    }

    [Fact]
    public async Task A_profile_without_credentials_is_refused()
    {
        _awsHome.WriteAwsFile("config", "[profile regional]\nregion = eu-west-3\n");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { Profile = "regional" }, Region, CancellationToken.None));

        Assert.Contains("holds no credentials", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_pipelines_variables_come_before_the_sdk_chain()
    {
        var environment = _awsHome.Environment(("AWS_ACCESSKEYID", "AKIAAZURE"), ("AWS_SECRETACCESSKEY", Secret), ("AWS_SESSIONTOKEN", "azure-session"));

        var (credentials, source, _) = await Resolver(environment).ResolveAsync(new AwsOptions(), Region, CancellationToken.None);

        var keys = await credentials.GetCredentialsAsync();
        Assert.Equal(("AKIAAZURE", "azure-session"), (keys.AccessKey, keys.Token));
        Assert.Contains("Azure Pipelines variables AWS.AccessKeyID and AWS.SecretAccessKey", source, StringComparison.Ordinal);
        Assert.Equal(0, _sdkChainCalls);
    }

    [Fact]
    public async Task A_complete_pair_of_environment_keys_is_taken_without_running_the_sdk_chain()
    {
        var environment = _awsHome.Environment(("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT"), ("AWS_SECRET_ACCESS_KEY", Secret), ("AWS_SESSION_TOKEN", "env-session"));

        var (credentials, source, _) = await Resolver(environment).ResolveAsync(new AwsOptions(), Region, CancellationToken.None);

        var keys = await credentials.GetCredentialsAsync();
        Assert.Equal(("AKIAENVIRONMENT", "env-session"), (keys.AccessKey, keys.Token));
        Assert.Equal("the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", source);
        Assert.Equal(0, _sdkChainCalls);
    }

    [Fact]
    public async Task Half_a_pair_of_environment_keys_is_left_to_the_sdk_chain()
    {
        await Resolver(_awsHome.Environment(("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT")), sdkChainResult: new BasicAWSCredentials("AKIASDK", Secret)).ResolveAsync(new AwsOptions(), Region, CancellationToken.None);

        Assert.Equal(1, _sdkChainCalls);
    }

    [Fact]
    public async Task The_sdk_chain_comes_last_and_is_named_by_what_it_found()
    {
        using var webIdentity = new AssumeRoleWithWebIdentityCredentials(Path.Combine(_awsHome.Path, "token"), "arn:aws:iam::123456789012:role/ci", "session");

        var (credentials, source, _) = await Resolver(_awsHome.Environment(), sdkChainResult: webIdentity).ResolveAsync(new AwsOptions(), Region, CancellationToken.None);

        Assert.Same(webIdentity, credentials);
        Assert.Equal("web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)", source);
        Assert.Equal(1, _sdkChainCalls);
    }

    [Fact]
    public async Task No_credentials_lists_the_sources_in_order()
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions(), Region, CancellationToken.None));

        var message = exception.Message;
        var order = SourcesInOrder
            .Select(part => message.IndexOf(part, StringComparison.Ordinal))
            .ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order().ToList(), order);
        Assert.Equal(1, _sdkChainCalls);
    }

    [Fact]
    public async Task With_metadata_disabled_and_nothing_configured_the_sdk_chain_is_not_run()
    {
        // The real default chain: it returns at once instead of waiting on instance metadata.
        var resolver = new AwsCredentialResolver(_awsHome.Environment(("AWS_EC2_METADATA_DISABLED", "true")), _log);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => resolver.ResolveAsync(new AwsOptions(), Region, CancellationToken.None));

        Assert.Contains("skipped: AWS_EC2_METADATA_DISABLED is true", exception.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_role_wraps_the_base_credentials()
    {
        var environment = _awsHome.Environment(("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5055"));
        var options = new AwsOptions { AccessKeyId = "AKIABASE", SecretAccessKey = Secret, RoleArn = "arn:aws:iam::123456789012:role/pusher", ExternalId = "ext-1" };

        var (credentials, source, _) = await Resolver(environment).ResolveAsync(options, "cn-north-1", CancellationToken.None);

        var assumed = Assert.IsType<RegionalAssumeRoleCredentials>(credentials);
        Assert.Equal("arn:aws:iam::123456789012:role/pusher", assumed.RoleArn);
        Assert.Equal("EcrPush-20261127T120000Z", assumed.RoleSessionName);
        Assert.Equal("ext-1", assumed.Options.ExternalId);
        Assert.Equal("AKIABASE", (await assumed.SourceCredentials.GetCredentialsAsync()).AccessKey);
        Assert.Equal("the role arn:aws:iam::123456789012:role/pusher (session EcrPush-20261127T120000Z, STS at http://127.0.0.1:5055/) assumed with credentials from the AwsAccessKeyId and AwsSecretAccessKey settings", source);
    }

    [Fact]
    public async Task A_role_session_name_can_be_given()
    {
        var options = new AwsOptions { AccessKeyId = "AKIABASE", SecretAccessKey = Secret, RoleArn = "arn:aws:iam::123456789012:role/pusher", RoleSessionName = "release-42" };

        var (credentials, source, _) = await Resolver(_awsHome.Environment()).ResolveAsync(options, Region, CancellationToken.None);

        Assert.Equal("release-42", Assert.IsType<RegionalAssumeRoleCredentials>(credentials).RoleSessionName);
        Assert.Contains("STS in eu-west-3", source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_role_session_serves_every_push_of_one_base_identity_role_session_name_and_STS_endpoint()
    {
        const string Role = "arn:aws:iam::123456789012:role/pusher";
        var sessions = new CredentialSessions();
        var environment = _awsHome.Environment();
        var options = new AwsOptions { AccessKeyId = "AKIABASE", SecretAccessKey = Secret, RoleArn = Role, ExternalId = "ext-1" };

        var first = await Resolver(environment, sessions: sessions).ResolveAsync(options, Region, CancellationToken.None);
        environment.Time.Advance(TimeSpan.FromMinutes(5));
        var again = await Resolver(environment, sessions: sessions).ResolveAsync(options with { Region = "ignored" }, Region, CancellationToken.None);

        // The same session, still under the name it was made with (not a new timestamp), and the same identity.
        Assert.Same(first.Credentials, again.Credentials);
        Assert.Equal(first.Identity, again.Identity);
        Assert.Equal("EcrPush-20261127T120000Z", Assert.IsType<RegionalAssumeRoleCredentials>(again.Credentials).RoleSessionName);
        Assert.Contains("(session EcrPush-20261127T120000Z, STS in eu-west-3)", again.Source, StringComparison.Ordinal);

        // Each of these is a session of its own: two explicit session names never share one.
        var named = await Resolver(environment, sessions: sessions).ResolveAsync(options with { RoleSessionName = "release-42" }, Region, CancellationToken.None);
        var others = new List<ResolvedCredentials>
        {
            named,
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { RoleSessionName = "release-43" }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { ExternalId = "ext-2" }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { ExternalId = null }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { RoleArn = "arn:aws:iam::123456789012:role/other" }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { SecretAccessKey = "another-secret-for-the-same-key-id" }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { SessionToken = "a-session-token" }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options with { Proxy = new Uri("http://proxy.example:3128") }, Region, CancellationToken.None),
            await Resolver(environment, sessions: sessions).ResolveAsync(options, "eu-west-1", CancellationToken.None),
            await Resolver(_awsHome.Environment(("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5055")), sessions: sessions).ResolveAsync(options, Region, CancellationToken.None),
        };

        Assert.All(others, other => Assert.NotSame(first.Credentials, other.Credentials));
        var identities = others.Select(o => o.Identity).Append(first.Identity).ToList();
        Assert.Equal(identities.Count, identities.Distinct().Count());
        Assert.Equal("release-42", Assert.IsType<RegionalAssumeRoleCredentials>(named.Credentials).RoleSessionName);
        Assert.Same(named.Credentials, (await Resolver(environment, sessions: sessions).ResolveAsync(options with { RoleSessionName = "release-42" }, Region, CancellationToken.None)).Credentials);
        Assert.All(identities, identity =>
        {
            Assert.DoesNotContain(Secret, identity, StringComparison.Ordinal);
            Assert.DoesNotContain("AKIABASE", identity, StringComparison.Ordinal);
            Assert.DoesNotContain("ext-1", identity, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_profile_s_credentials_are_made_once_per_process_and_files()
    {
        var sessions = new CredentialSessions();
        _awsHome.WriteAwsFile("credentials", $"[ci]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = {Secret}\n[release]\naws_access_key_id = AKIARELEASE\naws_secret_access_key = {Secret}\n");

        var first = await Resolver(_awsHome.Environment(), sessions: sessions).ResolveAsync(new AwsOptions { Profile = "ci" }, Region, CancellationToken.None);
        var again = await Resolver(_awsHome.Environment(), sessions: sessions).ResolveAsync(new AwsOptions { Profile = "ci" }, Region, CancellationToken.None);
        var other = await Resolver(_awsHome.Environment(), sessions: sessions).ResolveAsync(new AwsOptions { Profile = "release" }, Region, CancellationToken.None);

        Assert.Same(first.Credentials, again.Credentials);
        Assert.Equal(first.Identity, again.Identity);
        Assert.NotEqual(first.Identity, other.Identity);
        Assert.Equal("AKIARELEASE", (await other.Credentials.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public async Task Keys_are_one_identity_whatever_variable_or_setting_they_come_from_and_other_keys_another()
    {
        var fromSettings = await Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { AccessKeyId = "AKIASAME", SecretAccessKey = Secret }, Region, CancellationToken.None);
        var fromVariables = await Resolver(_awsHome.Environment(("AWS_ACCESS_KEY_ID", "AKIASAME"), ("AWS_SECRET_ACCESS_KEY", Secret))).ResolveAsync(new AwsOptions(), Region, CancellationToken.None);
        var otherSecret = await Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { AccessKeyId = "AKIASAME", SecretAccessKey = "other-secret" }, Region, CancellationToken.None);

        Assert.Equal(fromSettings.Identity, fromVariables.Identity);
        Assert.NotEqual(fromSettings.Identity, otherSecret.Identity);
    }

    [Fact]
    public void A_refused_assume_role_explains_what_the_role_needs()
    {
        var failure = new AmazonServiceException("User is not authorized to perform: sts:AssumeRole") { ErrorCode = "AccessDenied" };

        var exception = AwsCredentialResolver.CredentialFailure("the role arn:aws:iam::1:role/r assumed with credentials from x", failure);

        Assert.Contains("AccessDenied: User is not authorized to perform: sts:AssumeRole", exception.Message, StringComparison.Ordinal);
        Assert.Contains("trust policy", exception.Message, StringComparison.Ordinal);
    }

    private AwsCredentialResolver Resolver(FakeEnvironment environment, AWSCredentials? sdkChainResult = null, CredentialSessions? sessions = null)
        => new(
            environment,
            _log,
            _ =>
            {
                Interlocked.Increment(ref _sdkChainCalls);
                return Task.FromResult(sdkChainResult);
            },
            sessions: sessions ?? new CredentialSessions());
}

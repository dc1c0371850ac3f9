using System.Globalization;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using static Ecr.Internal.Values;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// Finds the AWS credentials of a push, first match wins: the AwsCredentials setting; the key settings; the
/// AwsProfile setting; Azure Pipelines' AWS.AccessKeyID / AWS.SecretAccessKey / AWS.SessionToken variables (they
/// reach the process as AWS_ACCESSKEYID, AWS_SECRETACCESSKEY, AWS_SESSIONTOKEN); the SDK's default chain
/// (environment, web identity, profile with SSO / credential_process / role_arn, container, EC2 instance metadata).
/// With AwsRoleArn the result is the base identity for an AssumeRole. Each result names where it came from and whose
/// it is (<see cref="ResolvedCredentials.Identity"/>); role sessions and a profile's credentials are kept for the
/// process (<see cref="CredentialSessions"/>), so that pushes and destinations of one identity share them.
/// </summary>
internal sealed class AwsCredentialResolver
{
    public const string AzureAccessKeyVariable = "AWS_ACCESSKEYID";
    public const string AzureSecretKeyVariable = "AWS_SECRETACCESSKEY";
    public const string AzureSessionTokenVariable = "AWS_SESSIONTOKEN";
    public const string StsEndpointVariable = "AWS_ENDPOINT_URL_STS";

    /// <summary>How long the SDK chain may take when only instance metadata could answer.</summary>
    public static readonly TimeSpan DefaultInstanceMetadataBudget = TimeSpan.FromSeconds(5);

    // Variables that make the SDK chain answer before it reaches instance metadata.
    private static readonly string[] NonMetadataVariables =
    [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ];

    private readonly IEnvironment _environment;
    private readonly IPushLog _log;
    private readonly Func<CancellationToken, Task<AWSCredentials?>> _sdkDefaultChain;
    private readonly TimeSpan _instanceMetadataBudget;
    private readonly CredentialSessions _sessions;

    /// <param name="environment">Where variables and the home directory are read.</param>
    /// <param name="log">Receives the chain's diagnostics (never a secret).</param>
    /// <param name="sdkDefaultChain">The SDK's default chain (null: nothing found); tests replace it.</param>
    /// <param name="instanceMetadataBudget">How long the default chain may wait when only instance metadata is left.</param>
    /// <param name="sessions">Where role sessions and profile credentials are kept; null: the process's (tests give their own).</param>
    public AwsCredentialResolver(IEnvironment environment, IPushLog log, Func<CancellationToken, Task<AWSCredentials?>>? sdkDefaultChain = null, TimeSpan? instanceMetadataBudget = null, CredentialSessions? sessions = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(log);
        _environment = environment;
        _log = log;
        _instanceMetadataBudget = instanceMetadataBudget ?? DefaultInstanceMetadataBudget;
        _sdkDefaultChain = sdkDefaultChain ?? RunSdkDefaultChainAsync;
        _sessions = sessions ?? CredentialSessions.Shared;
    }

    /// <param name="options">The AWS settings.</param>
    /// <param name="region">The push's region: where STS is called when a role is assumed.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public async Task<ResolvedCredentials> ResolveAsync(AwsOptions options, string region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(region);

        var resolved = await ResolveBaseAsync(options, cancellationToken).ConfigureAwait(false);
        if (NonEmpty(options.RoleArn) is not { } roleArn)
        {
            return resolved;
        }

        // One session per base identity, role, external ID, session name and STS endpoint: a push without a session
        // name joins the process's default-named session of that role, one with a name only a session of that name.
        var stsEndpoint = StsEndpoint();
        var externalId = NonEmpty(options.ExternalId);
        var explicitName = NonEmpty(options.RoleSessionName);
        var identity = CredentialSessions.Identity("role", resolved.Identity, roleArn, externalId, explicitName, region, stsEndpoint?.AbsoluteUri, options.Proxy?.AbsoluteUri);
        var assumed = _sessions.GetOrAdd(identity, () => new RegionalAssumeRoleCredentials(
            resolved.Credentials,
            roleArn,
            explicitName ?? $"EcrPush-{_environment.Time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}",
            new AssumeRoleAWSCredentialsOptions { ExternalId = externalId, ProxySettings = EcrHttpClientFactory.CreateProxy(options.Proxy, _environment) },
            region,
            stsEndpoint));
        var sts = stsEndpoint is null ? $"STS in {region}" : $"STS at {stsEndpoint}";
        return new ResolvedCredentials(assumed, $"the role {roleArn} (session {assumed.RoleSessionName}, {sts}) assumed with credentials from {resolved.Source}", identity);
    }

    /// <summary>The keys of the credentials now (refreshed if they expire); a source that fails is named in the push's exception.</summary>
    public static async Task<ImmutableCredentials> FetchKeysAsync(AWSCredentials credentials, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        try
        {
            return await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new EcrPushException($"The AWS credentials from {source} gave no keys. Check that {source} holds an access key ID and a secret access key (and a session token with temporary keys).");
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not EcrPushException)
        {
            throw CredentialFailure(source, exception);
        }
    }

    /// <summary>The push's exception for credentials that were found but could not be turned into keys.</summary>
    public static EcrPushException CredentialFailure(string source, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var detail = exception is AmazonServiceException { ErrorCode: { Length: > 0 } code } ? $"{code}: {exception.Message}" : exception.Message;
        var advice = source.StartsWith("the role ", StringComparison.Ordinal)
            ? " To assume a role, the base identity needs sts:AssumeRole on it, the role's trust policy must allow that identity, and the ExternalId (AwsExternalId) must match the one the trust policy asks for."
            : " Check those credentials: they may be expired (renew the session, e.g. aws sso login), incomplete, or unreadable.";
        return new EcrPushException($"Getting AWS credentials from {source} failed: {Messages.Sentence(detail)}{advice}", exception);
    }

    private async Task<ResolvedCredentials> ResolveBaseAsync(AwsOptions options, CancellationToken cancellationToken)
    {
        if (options.Credentials is { } explicitCredentials)
        {
            return new(explicitCredentials, $"the AwsCredentials setting ({explicitCredentials.GetType().Name})", CredentialSessions.Identity(explicitCredentials));
        }

        // SettingsValidator has checked that the settings give the keys as a whole pair, or none.
        if (NonEmpty(options.AccessKeyId) is { } accessKeyId && NonEmpty(options.SecretAccessKey) is { } secretAccessKey)
        {
            return Keys(accessKeyId, secretAccessKey, NonEmpty(options.SessionToken), "the AwsAccessKeyId and AwsSecretAccessKey settings");
        }

        if (NonEmpty(options.Profile) is { } profileName)
        {
            // The profile's credentials (an SSO session, a credential_process, a role_arn) are made once per process and
            // files, so that they are fetched once rather than per connection.
            var identity = CredentialSessions.Identity("profile", profileName, AwsSharedFiles.CredentialsFile(_environment), AwsSharedFiles.ConfigFile(_environment));
            return new(_sessions.GetOrAdd(identity, () => FromProfile(profileName)), $"the profile '{profileName}' (AwsProfile) in {AwsSharedFiles.Describe(_environment)}", identity);
        }

        var azure = FromKeys(
            _environment.GetVariable(AzureAccessKeyVariable),
            _environment.GetVariable(AzureSecretKeyVariable),
            _environment.GetVariable(AzureSessionTokenVariable),
            $"the variable AWS.AccessKeyID (environment {AzureAccessKeyVariable})",
            $"the variable AWS.SecretAccessKey (environment {AzureSecretKeyVariable})",
            $"the variable AWS.SessionToken (environment {AzureSessionTokenVariable})",
            $"the Azure Pipelines variables AWS.AccessKeyID and AWS.SecretAccessKey ({AzureAccessKeyVariable}, {AzureSecretKeyVariable})");
        if (azure is not null)
        {
            return azure;
        }

        // The SDK's default chain looks at these first as well; taking a complete pair here spares loading the
        // chain on the path of a first push (about 35 ms measured). Anything less goes to the chain, as before.
        if (NonEmpty(_environment.GetVariable("AWS_ACCESS_KEY_ID")) is { } environmentKey && NonEmpty(_environment.GetVariable("AWS_SECRET_ACCESS_KEY")) is { } environmentSecret)
        {
            return FromKeys(environmentKey, environmentSecret, _environment.GetVariable("AWS_SESSION_TOKEN"), "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")!;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (await _sdkDefaultChain(cancellationToken).ConfigureAwait(false) is { } found)
        {
            // The SDK keeps the chain's result for the process (while the variables it read stay the same): the object is the identity.
            return new(found, DescribeSdkCredentials(found), CredentialSessions.Identity(found));
        }

        throw NothingFound();
    }

    /// <summary>Keys from variables, given as a pair; one without the other is a mistake worth stopping for.</summary>
    private static ResolvedCredentials? FromKeys(string? accessKeyId, string? secretAccessKey, string? sessionToken, string accessName, string secretName, string tokenName, string source)
    {
        accessKeyId = NonEmpty(accessKeyId);
        secretAccessKey = NonEmpty(secretAccessKey);
        sessionToken = NonEmpty(sessionToken);
        if (accessKeyId is null && secretAccessKey is null)
        {
            return sessionToken is null
                ? null
                : throw new EcrPushException($"{Capitalize(tokenName)} is set, but neither {accessName} nor {secretName}: a session token belongs to a key pair. Set all three, or none.");
        }

        if (accessKeyId is null || secretAccessKey is null)
        {
            var (set, missing) = accessKeyId is null ? (secretName, accessName) : (accessName, secretName);
            throw new EcrPushException($"{Capitalize(set)} is set but {missing} is not: AWS keys come in pairs. Set both, or neither.");
        }

        return Keys(accessKeyId, secretAccessKey, sessionToken, source);
    }

    /// <summary>Keys as credentials; whose they are is a keyed hash of all three, so that other keys are another identity.</summary>
    private static ResolvedCredentials Keys(string accessKeyId, string secretAccessKey, string? sessionToken, string source)
        => new(
            sessionToken is null ? new BasicAWSCredentials(accessKeyId, secretAccessKey) : new SessionAWSCredentials(accessKeyId, secretAccessKey, sessionToken),
            source,
            CredentialSessions.Identity("keys", accessKeyId, secretAccessKey, sessionToken));

    private AWSCredentials FromProfile(string profileName)
    {
        CredentialProfile? profile;
        ICredentialProfileSource source;
        try
        {
            profile = AwsSharedFiles.FindProfile(profileName, _environment, out source);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new EcrPushException($"The AWS profile files ({AwsSharedFiles.Describe(_environment)}) could not be read: {exception.Message}", exception);
        }

        if (profile is null)
        {
            throw AwsSharedFiles.ProfileNotFound(profileName, _environment);
        }

        if (!profile.CanCreateAWSCredentials)
        {
            throw new EcrPushException($"The AWS profile '{profileName}' in {AwsSharedFiles.Describe(_environment)} holds no credentials (no keys, SSO, credential_process, role_arn or web identity). Add them to the profile, or use another one.");
        }

        try
        {
            return profile.GetAWSCredentials(source) ?? throw new InvalidDataException("the SDK made no credentials of it.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not EcrPushException)
        {
            throw new EcrPushException($"The AWS profile '{profileName}' in {AwsSharedFiles.Describe(_environment)} could not be turned into credentials: {exception.Message}", exception);
        }
    }

    private async Task<AWSCredentials?> RunSdkDefaultChainAsync(CancellationToken cancellationToken)
    {
        var metadataDisabled = EcrEndpoint.ReadFlag(_environment, AwsRegionResolver.MetadataDisabledVariable);
        var otherSources = HasNonMetadataSource();
        if (!otherSources && metadataDisabled)
        {
            // The chain could only fail: nothing but instance metadata is left, and that is turned off.
            return null;
        }

        // When only instance metadata can answer, do not wait for the SDK's long metadata timeouts.
        var budget = otherSources ? Timeout.InfiniteTimeSpan : _instanceMetadataBudget;
        try
        {
            var (completed, credentials) = await BoundedCall.RunAsync(static () => DefaultAWSCredentialsIdentityResolver.GetCredentials(), budget, cancellationToken).ConfigureAwait(false);
            if (!completed)
            {
                _log.Verbose(string.Create(CultureInfo.InvariantCulture, $"EC2 instance metadata gave no credentials within {budget.TotalSeconds:0.#} s; not waiting longer"));
            }

            return credentials;
        }
        catch (ProfileNotFoundException exception)
        {
            throw new EcrPushException($"The AWS profile '{AwsSharedFiles.ProfileName(null, _environment)}' named by {AwsSharedFiles.ProfileVariable} was not found in {AwsSharedFiles.Describe(_environment)}. Check the name, or unset {AwsSharedFiles.ProfileVariable}.", exception);
        }
        catch (ProcessAWSCredentialException exception)
        {
            throw new EcrPushException($"The credential_process of the AWS profile '{AwsSharedFiles.ProfileName(null, _environment)}' failed: {exception.Message}", exception);
        }
        catch (AmazonClientException exception)
        {
            // The SDK's list of what each of its sources said; useful when a source was expected to answer.
            _log.Verbose($"The AWS SDK's default credential chain found nothing: {exception.Message.ReplaceLineEndings(" ")}");
            return null;
        }
    }

    private bool HasNonMetadataSource()
    {
        if (NonMetadataVariables.Any(name => NonEmpty(_environment.GetVariable(name)) is not null))
        {
            return true;
        }

        try
        {
            return AwsSharedFiles.FindProfile(AwsSharedFiles.ProfileName(null, _environment), _environment, out _) is not null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            // The SDK chain will meet the same file and say what is wrong with it.
            return true;
        }
    }

    private string DescribeSdkCredentials(AWSCredentials credentials)
    {
        var profile = $"the profile '{AwsSharedFiles.ProfileName(null, _environment)}' in {AwsSharedFiles.Describe(_environment)}";
        return credentials.GetType().Name switch
        {
            "EnvironmentVariablesAWSCredentials" => "the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            "AssumeRoleWithWebIdentityCredentials" => "web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN)",
            "GenericContainerCredentials" or "ECSTaskCredentials" => "the container credentials endpoint (ECS task role or EKS pod identity)",
            "DefaultInstanceProfileAWSCredentials" or "InstanceProfileAWSCredentials" => "EC2 instance metadata (the instance profile's role)",
            "SSOAWSCredentials" => $"{profile} (SSO)",
            "ProcessAWSCredentials" => $"{profile} (credential_process)",
            "AssumeRoleAWSCredentials" => $"{profile} (role_arn)",
            _ => profile,
        };
    }

    private EcrPushException NothingFound()
    {
        var metadata = EcrEndpoint.ReadFlag(_environment, AwsRegionResolver.MetadataDisabledVariable)
            ? $"skipped: {AwsRegionResolver.MetadataDisabledVariable} is true"
            : string.Create(CultureInfo.InvariantCulture, $"not on EC2, or no answer within {_instanceMetadataBudget.TotalSeconds:0.#} s; off EC2, {AwsRegionResolver.MetadataDisabledVariable}=true skips it");
        return new EcrPushException(Messages.Lines(
            "No AWS credentials were found. Looked, in order, at:",
            "- the AwsCredentials setting; the AwsAccessKeyId and AwsSecretAccessKey settings; the AwsProfile setting;",
            $"- the Azure Pipelines variables AWS.AccessKeyID and AWS.SecretAccessKey ({AzureAccessKeyVariable}, {AzureSecretKeyVariable});",
            "- the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY;",
            "- web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN);",
            $"- the profile '{AwsSharedFiles.ProfileName(null, _environment)}' in {AwsSharedFiles.Describe(_environment)};",
            "- the ECS/EKS container credentials endpoint;",
            $"- EC2 instance metadata ({metadata}).",
            "Give credentials with SetAwsAccessKeyId and SetAwsSecretAccessKey (from the CI's secrets), SetAwsProfile,",
            "or the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (a CI passes a secret variable to a step only when the step maps it);",
            "or run where an IAM role is available (EC2 instance profile, ECS task role, EKS, or OIDC such as aws-actions/configure-aws-credentials)."));
    }

    private Uri? StsEndpoint() => EcrEndpoint.FindConfigured(_environment, StsEndpointVariable, "the STS endpoint")?.Url;

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>Credentials found for a push: the object, where it came from (for messages), and whose they are.</summary>
/// <param name="Credentials">The credentials; for a role, the session that assumes it and renews its keys.</param>
/// <param name="Source">Where they came from, for the log and the push's messages.</param>
/// <param name="Identity">
/// Whose they are, the same for the same identity for the life of the process (also when a role session renews its
/// keys), never showing a secret: the token cache's key part (<see cref="EcrApi.EcrConnection.CacheKey"/>).
/// </param>
internal sealed record ResolvedCredentials(AWSCredentials Credentials, string Source, string Identity);

using System.Net;
using System.Text;
using Amazon.Runtime;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Aws;
using Ecr.Tests.Fakes;
using Ecr.Tests.Readme;

namespace Ecr.Tests.Snapshots.Errors;

/// <summary>
/// What the AWS side says, one snapshot per failure: the credential chain (profiles, variables, a credential_process
/// that fails, a role STS refuses), the region chain, the ECR endpoint's rules, and the ECR API: each kind of AWS error
/// with its advice (<see cref="EcrErrors"/>), answers that are not ECR's, no connection, TLS, silence, and answers the
/// client cannot use. The API's answers are real ECR JSON 1.1 bodies through the real client (<see cref="EcrClientHarness"/>),
/// the network failures real ones on the loopback.
/// </summary>
public sealed class AwsErrorTests : IDisposable
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Registry = "https://123456789012.dkr.ecr.eu-west-3.amazonaws.com";

    private readonly AwsHome _home = new();

    public void Dispose() => _home.Dispose();

    private static readonly Dictionary<string, Func<AwsErrorTests, Task>> Failures = new(StringComparer.Ordinal)
    {
        ["Profile_not_found"] = t => t.CredentialsAsync(new AwsOptions { Profile = "ci" }),
        ["Profile_without_credentials"] = t => t.CredentialsAsync(new AwsOptions { Profile = "ci" }, config: "[profile ci]\nregion = eu-west-3\n"),
        ["Profile_files_not_readable"] = t => t.CredentialsAsync(new AwsOptions { Profile = "ci" }, config: ConfigNotIni),
        ["Profile_whose_role_has_no_source"] = t => t.CredentialsAsync(new AwsOptions { Profile = "ci" }, config: "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/push\nsource_profile = base\n"),
        ["Profile_credential_process_failed"] = t => t.CredentialsAsync(new AwsOptions { Profile = "ci" }, config: "[profile ci]\ncredential_process = /bin/sh -c \"echo 'the SSO session has expired' >&2; exit 3\"\n"),
        ["Azure_Pipelines_key_without_its_secret"] = t => t.CredentialsAsync(new AwsOptions(), variables: [(AwsCredentialResolver.AzureAccessKeyVariable, "AKIAIOSFODNN7EXAMPLE")]),
        ["Environment_session_token_without_keys"] = t => t.CredentialsAsync(new AwsOptions(), variables: [(AwsCredentialResolver.AzureSessionTokenVariable, "FwoGZXIvYXdzEXAMPLE")]),
        ["No_credentials_where_instance_metadata_did_not_answer"] = t => t.CredentialsAsync(new AwsOptions()),
        ["Role_refused_by_STS"] = t => t.RoleRefusedAsync(),
        ["Credentials_that_give_no_keys"] = _ => AwsCredentialResolver.FetchKeysAsync(new NoKeys(), "the AwsCredentials setting (NoKeys)", CancellationToken.None),
        ["README_no_region"] = _ => ReadmeAsync(readme => readme.NoRegionAsync()),
        ["No_region_and_no_instance_metadata"] = t => t.RegionAsync(new AwsOptions()),
        ["Region_not_a_region"] = t => t.RegionAsync(new AwsOptions(), variables: (AwsRegionResolver.RegionVariable, "us-east-1-fips")),
        ["Region_profile_files_not_readable"] = t => t.RegionAsync(new AwsOptions(), ConfigNotIni),
        ["Endpoint_URL_with_FIPS"] = _ => EndpointAsync(new AwsOptions { EndpointUrl = new Uri("https://ecr.internal.example"), UseFipsEndpoint = true }),
        ["Endpoint_variable_with_dual_stack"] = _ => EndpointAsync(new AwsOptions(), (EcrEndpoint.GlobalVariable, "https://aws.internal.example"), (EcrEndpoint.DualStackVariable, "true")),
        ["Endpoint_variable_not_a_URL"] = _ => EndpointAsync(new AwsOptions(), (EcrEndpoint.ServiceVariable, "localhost:4566")),
        ["Endpoint_flag_not_true_or_false"] = _ => EndpointAsync(new AwsOptions(), (EcrEndpoint.FipsVariable, "yes")),
        ["README_access_denied_to_GetAuthorizationToken"] = _ => ReadmeErrorsTests.AccessDeniedAsync(),
        ["Access_denied_to_a_repository"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "AccessDeniedException", "User: arn:aws:sts::123456789012:assumed-role/ci/build is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:eu-west-3:123456789012:repository/team/web because no identity-based policy allows the ecr:DescribeRepositories action"), Describe),
        ["Clock_too_far_from_AWS"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "InvalidSignatureException", "Signature expired: 20261127T120000Z is now earlier than 20261127T121500Z (20261127T122000Z - 5 min.)"), Describe),
        ["Access_key_unknown"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."), Describe),
        ["Secret_key_does_not_match"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."), Describe),
        ["Credentials_expired"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "ExpiredTokenException", "The security token included in the request is expired"), Describe),
        ["Throttled_after_every_retry"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded").ThenError(HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded").ThenError(HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded"), Describe),
        ["Server_error_after_every_retry"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.InternalServerError, "ServerException", "Internal error").ThenError(HttpStatusCode.InternalServerError, "ServerException", "Internal error").ThenError(HttpStatusCode.InternalServerError, "ServerException", "Internal error"), Describe),
        ["Repository_not_found"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "RepositoryNotFoundException", "The repository with name 'team/web' does not exist in the registry with id '123456789012'"), client => client.PutLifecyclePolicyAsync("team/web", null, "{}", CancellationToken.None)),
        ["KMS_key_refused"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "KmsException", "User is not authorized to perform kms:CreateGrant on alias/ecr"), Create),
        ["Repository_quota_reached"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "LimitExceededException", "The maximum number of repositories (10000) has been reached"), Create),
        ["Too_many_repository_tags"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "TooManyTagsException", "The maximum number of tags (50) has been reached"), Create),
        ["AWS_error_without_advice"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "UnsupportedImageTypeException", "The image type is not supported."), Describe),
        ["Proxy_page_instead_of_ECR"] = _ => ApiAsync(stub => stub.ThenBody(HttpStatusCode.Forbidden, "<html><head><title>Access Denied</title></head><body><h1>Blocked by the corporate proxy</h1><p>Category: uncategorized</p></body></html>", "text/html"), Describe),
        ["Proxy_asks_for_credentials"] = _ => ApiAsync(stub => stub.ThenBody(HttpStatusCode.ProxyAuthenticationRequired, "Proxy authentication required", "text/plain"), Describe),
        ["Success_that_is_not_ECR_JSON"] = _ => ApiAsync(stub => stub.ThenBody(HttpStatusCode.OK, "<html><body>Welcome to the guest network</body></html>", "text/html"), Describe),
        ["ECR_API_unreachable"] = _ => ApiOverTheNetworkAsync(Loopback.ClosedPort()),
        ["ECR_API_certificate_not_trusted"] = _ => UntrustedApiAsync(),
        ["ECR_API_silent"] = _ => ApiAsync(stub => stub.ThenHang().ThenHang().ThenHang(), Describe, attemptTimeout: TimeSpan.FromSeconds(0.2)),
        ["Token_answer_without_authorization_data"] = _ => TokenAsync("""{"authorizationData":[]}"""),
        ["Token_answer_without_a_token"] = _ => TokenAsync($$"""{"authorizationData":[{"proxyEndpoint":"{{Registry}}","expiresAt":1.7963136E9}]}"""),
        ["Token_not_base64"] = _ => TokenAsync($$"""{"authorizationData":[{"authorizationToken":"QVdT!OnBhc3N3b3Jk","proxyEndpoint":"{{Registry}}","expiresAt":1.7963136E9}]}"""),
        ["Token_not_user_and_password"] = _ => TokenAsync($$"""{"authorizationData":[{"authorizationToken":"{{Base64("AWS")}}","proxyEndpoint":"{{Registry}}","expiresAt":1.7963136E9}]}"""),
        ["Token_answer_without_a_registry"] = _ => TokenAsync($$"""{"authorizationData":[{"authorizationToken":"{{Base64("AWS:password")}}","expiresAt":1.7963136E9}]}"""),
        ["Token_answer_with_a_registry_that_is_not_a_URL"] = _ => TokenAsync($$"""{"authorizationData":[{"authorizationToken":"{{Base64("AWS:password")}}","proxyEndpoint":"ftp://registry example","expiresAt":1.7963136E9}]}"""),
        ["Repository_created_meanwhile_then_gone"] = _ => ApiAsync(stub => stub.ThenError(HttpStatusCode.BadRequest, "RepositoryAlreadyExistsException", "The repository with name 'team/web' already exists in the registry with id '123456789012'").ThenError(HttpStatusCode.BadRequest, "RepositoryNotFoundException", "The repository with name 'team/web' does not exist in the registry with id '123456789012'"), Create),
        ["Repository_created_without_the_repository_in_the_answer"] = _ => ApiAsync(stub => stub.ThenJson(HttpStatusCode.OK, "{}"), Create),
        ["Image_read_failed"] = _ => ApiAsync(stub => stub.ThenJson(HttpStatusCode.OK, """{"images":[],"failures":[{"imageId":{"imageTag":"1.4.2"},"failureCode":"KmsError","failureReason":"The KMS key of the repository is disabled"}]}"""), Image),
        ["Image_manifest_whose_bytes_are_not_its_digest"] = _ => ApiAsync(stub => stub.ThenJson(HttpStatusCode.OK, """{"images":[{"registryId":"123456789012","repositoryName":"team/web","imageId":{"imageTag":"1.4.2","imageDigest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},"imageManifest":"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{},\"layers\":[]}","imageManifestMediaType":"application/vnd.oci.image.manifest.v1+json"}],"failures":[]}"""), Image),
        ["Image_manifest_without_a_media_type"] = _ => ApiAsync(stub => stub.ThenJson(HttpStatusCode.OK, """{"images":[{"registryId":"123456789012","repositoryName":"team/web","imageId":{"imageTag":"1.4.2"},"imageManifest":"{\"schemaVersion\":2,\"config\":{},\"layers\":[]}"}],"failures":[]}"""), Image),
    };

    public static TheoryData<string> FailureNames => new(Failures.Keys);

    [Theory]
    [MemberData(nameof(FailureNames))]
    public async Task Failure(string name)
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Failures[name](this));

        Assert.DoesNotContain(Secret, exception.Message, StringComparison.Ordinal);
        await Verify(exception.Message).UseTextForParameters(name);
    }

    private static Task Describe(EcrClient client) => client.DescribeRepositoryAsync("team/web", null, CancellationToken.None);

    private static Task Create(EcrClient client) => client.CreateRepositoryAsync(new EcrRepositoryCreation("team/web", null) { EncryptionType = "KMS", KmsKey = "alias/ecr" }, CancellationToken.None);

    private static Task Image(EcrClient client) => client.BatchGetImageAsync("team/web", null, "1.4.2", CancellationToken.None);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static async Task ReadmeAsync(Func<ReadmeErrorsTests, Task> produce)
    {
        using var readme = new ReadmeErrorsTests();
        await produce(readme);
    }

    /// <summary>A ~/.aws/config the SDK cannot read: a line that is neither a section, a property nor a comment.</summary>
    private const string ConfigNotIni = "[profile ci]\nregion = eu-west-3\nthis line is not a property\n";

    /// <summary>The credential chain in a home of the test's, with its ~/.aws/config and variables; the SDK's own chain (the process's variables, instance metadata) finds nothing.</summary>
    private async Task CredentialsAsync(AwsOptions options, string? config = null, (string Name, string Value)[]? variables = null)
    {
        WriteConfig(config);
        var resolver = new AwsCredentialResolver(_home.Environment(variables ?? []), new RecordingLog(), _ => Task.FromResult<AWSCredentials?>(null), sessions: new CredentialSessions());
        var resolved = await resolver.ResolveAsync(options, "eu-west-3", CancellationToken.None);
        await AwsCredentialResolver.FetchKeysAsync(resolved.Credentials, resolved.Source, CancellationToken.None);
    }

    /// <summary>Keys in the settings and a role to assume, whose STS (AWS_ENDPOINT_URL_STS, on the loopback) answers as STS refuses a caller the role does not trust.</summary>
    private async Task RoleRefusedAsync()
    {
        await using var sts = new FixedAnswerServer(403, "Forbidden", "text/xml", """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error>
                <Type>Sender</Type>
                <Code>AccessDenied</Code>
                <Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/push</Message>
              </Error>
              <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
            </ErrorResponse>
            """);
        var environment = _home.Environment((AwsCredentialResolver.StsEndpointVariable, sts.Url.ToString()), (AwsRegionResolver.MetadataDisabledVariable, "true"));
        var resolver = new AwsCredentialResolver(environment, new RecordingLog(), sessions: new CredentialSessions());
        var resolved = await resolver.ResolveAsync(new AwsOptions { AccessKeyId = "AKIAIOSFODNN7EXAMPLE", SecretAccessKey = Secret, RoleArn = "arn:aws:iam::210987654321:role/push" }, "eu-west-3", CancellationToken.None);
        await AwsCredentialResolver.FetchKeysAsync(resolved.Credentials, resolved.Source, CancellationToken.None);
    }

    private Task<(string Region, string Source)> RegionAsync(AwsOptions options, string? config = null, params (string Name, string Value)[] variables)
    {
        WriteConfig(config);
        return new AwsRegionResolver(_home.Environment(variables), _ => Task.FromResult<string?>(null)).ResolveAsync(options, CancellationToken.None);
    }

    private void WriteConfig(string? config)
    {
        if (config is not null)
        {
            _home.WriteAwsFile("config", config);
        }
    }

    private static Task EndpointAsync(AwsOptions options, params (string Name, string Value)[] variables)
    {
        var environment = new FakeEnvironment();
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        EcrEndpoint.Resolve(options, "eu-west-3", environment);
        return Task.CompletedTask;
    }

    /// <summary>The real client and transport, the answers scripted: three attempts, no waits between them.</summary>
    private static async Task ApiAsync(Action<StubHttpHandler> answers, Func<EcrClient, Task> call, TimeSpan? attemptTimeout = null)
    {
        using var harness = new EcrClientHarness(attemptTimeout: attemptTimeout);
        answers(harness.Stub);
        await call(harness.Client);
    }

    private static Task TokenAsync(string answer) => ApiAsync(stub => stub.ThenJson(HttpStatusCode.OK, answer), client => client.GetAuthorizationAsync(null, CancellationToken.None));

    /// <summary>The ECR API's host leads to a loopback port: the client and transport as a push makes them, over a real connection.</summary>
    private static async Task ApiOverTheNetworkAsync(int port)
    {
        using var handler = new SocketsHttpHandler { ConnectCallback = Loopback.To(port), UseProxy = false };
        using var invoker = new HttpMessageInvoker(handler);
        var endpoint = new EcrEndpoint(new Uri("https://api.ecr.eu-west-3.amazonaws.com"), "eu-west-3", "the aws partition's endpoint for eu-west-3");
        var transport = new EcrApiTransport(invoker, endpoint, new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", Secret), "the test keys", new RecordingLog(), new StandardRetryPolicy(3, static () => 0.5), static (_, _) => Task.CompletedTask);
        await Describe(new EcrClient(transport));
    }

    private static async Task UntrustedApiAsync()
    {
        await using var api = new UntrustedTlsServer("api.ecr.eu-west-3.amazonaws.com");
        await ApiOverTheNetworkAsync(api.Port);
    }

    /// <summary>Credentials that hand out no keys at all, as a broken custom AWSCredentials would.</summary>
    private sealed class NoKeys : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => null!;

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult<ImmutableCredentials>(null!);
    }
}

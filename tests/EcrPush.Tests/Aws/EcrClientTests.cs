using System.Net;
using System.Text;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Tests.Aws;

public sealed class EcrClientTests
{
    private static readonly string Token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:the-registry-password"));

    [Fact]
    public async Task GetAuthorization_sends_a_signed_json_call_and_decodes_the_token()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.OK, $$"""{"authorizationData":[{"authorizationToken":"{{Token}}","expiresAt":1.4200704E9,"proxyEndpoint":"https://123456789012.dkr.ecr.eu-west-3.amazonaws.com"}]}""");

        var authorization = await harness.Client.GetAuthorizationAsync(null, CancellationToken.None);

        Assert.Equal("AWS", authorization.UserName);
        Assert.Equal("the-registry-password", authorization.Password);
        Assert.Equal("123456789012.dkr.ecr.eu-west-3.amazonaws.com", authorization.RegistryHost);

        // moto's date in 2015 is kept as given, not refused.
        Assert.Equal(new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero), authorization.ExpiresAt);

        var request = Assert.Single(harness.Stub.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.ecr.eu-west-3.amazonaws.com/", request.Uri.ToString());
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", request.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("{}", request.Body);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={EcrClientHarness.AccessKey}/", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("/eu-west-3/ecr/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("x-amz-target", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.StartsWith("EcrPush/", request.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.Contains("aws-sdk-dotnet-core/4.", request.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("X-Amz-Security-Token"));
        Assert.DoesNotContain("the-registry-password", harness.Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, harness.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAuthorization_names_the_registry_when_given_and_signs_the_session_token()
    {
        using var harness = new EcrClientHarness(withSessionToken: true);
        harness.Stub.ThenJson(HttpStatusCode.OK, $$"""{"authorizationData":[{"authorizationToken":"{{Token}}","expiresAt":1800000000,"proxyEndpoint":"https://210987654321.dkr.ecr.eu-west-3.amazonaws.com"}]}""");

        var authorization = await harness.Client.GetAuthorizationAsync("210987654321", CancellationToken.None);

        var request = Assert.Single(harness.Stub.Requests);
        Assert.Equal("""{"registryIds":["210987654321"]}""", request.Body);
        Assert.Equal(EcrClientHarness.SessionToken, request.Headers["X-Amz-Security-Token"]);
        Assert.Contains("x-amz-security-token", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1800000000), authorization.ExpiresAt);
        Assert.DoesNotContain(EcrClientHarness.SessionToken, harness.Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(EcrClientHarness.SecretKey, harness.Log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeRepository_returns_null_for_RepositoryNotFoundException()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenError(HttpStatusCode.BadRequest, "com.amazonaws.ecr#RepositoryNotFoundException", "The repository with name 'app' does not exist in the registry with id '123456789012'");

        var repository = await harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None);

        Assert.Null(repository);
        var request = Assert.Single(harness.Stub.Requests);
        Assert.Equal("""{"repositoryNames":["app"]}""", request.Body);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", request.Headers["X-Amz-Target"]);
    }

    [Fact]
    public async Task DescribeRepository_reads_the_repository()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.OK, """{"repositories":[{"repositoryArn":"arn:aws:ecr:eu-west-3:123456789012:repository/team/app","registryId":"123456789012","repositoryName":"team/app","repositoryUri":"123456789012.dkr.ecr.eu-west-3.amazonaws.com/team/app","createdAt":1.7E9,"imageTagMutability":"IMMUTABLE"}]}""");

        var repository = await harness.Client.DescribeRepositoryAsync("team/app", "123456789012", CancellationToken.None);

        Assert.NotNull(repository);
        Assert.Equal(new EcrRepository("team/app", "123456789012", "123456789012.dkr.ecr.eu-west-3.amazonaws.com/team/app", "IMMUTABLE", false) { TagMutabilityExclusionFilters = repository.TagMutabilityExclusionFilters, CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) }, repository);
        Assert.Empty(repository.TagMutabilityExclusionFilters);
        Assert.Equal("""{"registryId":"123456789012","repositoryNames":["team/app"]}""", Assert.Single(harness.Stub.Requests).Body);
    }

    [Fact]
    public async Task CreateRepository_sends_only_the_name_when_nothing_else_is_set()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.OK, """{"repository":{"registryId":"123456789012","repositoryName":"app","repositoryUri":"123456789012.dkr.ecr.eu-west-3.amazonaws.com/app","imageTagMutability":"MUTABLE"}}""");

        var repository = await harness.Client.CreateRepositoryAsync(new EcrRepositoryCreation("app", null), CancellationToken.None);

        Assert.True(repository.Created);
        Assert.Equal("123456789012", repository.RegistryId);
        Assert.Equal("""{"repositoryName":"app"}""", Assert.Single(harness.Stub.Requests).Body);
    }

    [Fact]
    public async Task CreateRepository_sends_the_options_that_are_set()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.OK, """{"repository":{"registryId":"123456789012","repositoryName":"app","repositoryUri":"u","imageTagMutability":"IMMUTABLE"}}""");
        var creation = new EcrRepositoryCreation("app", "123456789012")
        {
            ScanOnPush = true,
            TagMutability = "IMMUTABLE",
            EncryptionType = "KMS",
            KmsKey = "alias/ecr",
            Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "platform", ["cost-center"] = "42" },
        };

        await harness.Client.CreateRepositoryAsync(creation, CancellationToken.None);

        Assert.Equal(
            """{"registryId":"123456789012","repositoryName":"app","tags":[{"Key":"cost-center","Value":"42"},{"Key":"team","Value":"platform"}],"imageTagMutability":"IMMUTABLE","imageScanningConfiguration":{"scanOnPush":true},"encryptionConfiguration":{"encryptionType":"KMS","kmsKey":"alias/ecr"}}""",
            Assert.Single(harness.Stub.Requests).Body);
    }

    [Fact]
    public async Task CreateRepository_that_someone_else_created_returns_theirs_with_Created_false()
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenError(HttpStatusCode.BadRequest, "RepositoryAlreadyExistsException", "The repository with name 'app' already exists")
            .ThenJson(HttpStatusCode.OK, """{"repositories":[{"registryId":"123456789012","repositoryName":"app","repositoryUri":"123456789012.dkr.ecr.eu-west-3.amazonaws.com/app","imageTagMutability":"MUTABLE"}]}""");

        var repository = await harness.Client.CreateRepositoryAsync(new EcrRepositoryCreation("app", null), CancellationToken.None);

        Assert.False(repository.Created);
        Assert.Equal("123456789012.dkr.ecr.eu-west-3.amazonaws.com/app", repository.RepositoryUri);
        Assert.Equal(
            ["AmazonEC2ContainerRegistry_V20150921.CreateRepository", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"],
            harness.Stub.Requests.Select(r => r.Headers["X-Amz-Target"]).ToArray());
    }

    [Fact]
    public async Task BatchGetImage_asks_for_the_tag_and_returns_the_manifest_and_config_digests()
    {
        const string Manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"digest\":\"sha256:cfg\"}}";
        var digest = Ecr.Internal.Images.Sha256.Of(Encoding.UTF8.GetBytes(Manifest));
        using var harness = new EcrClientHarness();
        harness.Stub.ThenJson(HttpStatusCode.OK, $$"""{"images":[{"imageId":{"imageDigest":"{{digest}}","imageTag":"v1"},"imageManifest":{{System.Text.Json.JsonSerializer.Serialize(Manifest)}}}],"failures":[]}""");

        var image = await harness.Client.BatchGetImageAsync("app", null, "v1", CancellationToken.None);

        Assert.NotNull(image);
        Assert.Equal((digest, "sha256:cfg", "application/vnd.docker.distribution.manifest.v2+json"), (image.Digest, image.ConfigDigest, image.MediaType));
        Assert.Equal("""{"repositoryName":"app","imageIds":[{"imageTag":"v1"}],"acceptedMediaTypes":["application/vnd.docker.distribution.manifest.v2\u002Bjson","application/vnd.oci.image.manifest.v1\u002Bjson","application/vnd.docker.distribution.manifest.list.v2\u002Bjson","application/vnd.oci.image.index.v1\u002Bjson"]}""", Assert.Single(harness.Stub.Requests).Body);
    }

    [Fact]
    public async Task BatchGetImage_returns_the_exact_manifest_with_its_media_type_and_a_digest_computed_from_its_bytes()
    {
        const string Manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
        var digest = Ecr.Internal.Images.Sha256.Of(System.Text.Encoding.UTF8.GetBytes(Manifest));
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenJson(HttpStatusCode.OK, $$"""{"images":[{"registryId":"123456789012","imageId":{"imageDigest":"{{digest}}","imageTag":"rc"},"imageManifest":{{System.Text.Json.JsonSerializer.Serialize(Manifest)}},"imageManifestMediaType":"application/vnd.oci.image.index.v1+json"}],"failures":[]}""")
            .ThenJson(HttpStatusCode.OK, """{"images":[{"imageId":{"imageDigest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"},"imageManifest":"{}"}],"failures":[]}""")
            .ThenJson(HttpStatusCode.OK, """{"images":[],"failures":[{"imageId":{"imageTag":"rc"},"failureCode":"ImageNotFound","failureReason":"Requested image not found"}]}""");

        var image = await harness.Client.BatchGetImageAsync("app", null, "rc", CancellationToken.None);
        var damaged = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.BatchGetImageAsync("app", null, digest, CancellationToken.None));
        var missing = await harness.Client.BatchGetImageAsync("app", null, "rc", CancellationToken.None);

        Assert.Equal(new EcrManifest(Manifest, "application/vnd.oci.image.index.v1+json", digest, "123456789012"), image);
        Assert.True(image!.IsIndex);
        Assert.Null(image.ConfigDigest);
        Assert.Contains("with the digest sha256:0000000000000000000000000000000000000000000000000000000000000000, but its bytes are sha256:44136fa", damaged.Message, StringComparison.Ordinal);
        Assert.Null(missing);
        Assert.Contains("\"imageIds\":[{\"imageDigest\":\"" + digest + "\"}]", harness.Stub.Requests.ElementAt(1).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutImage_sends_the_manifest_with_its_media_type_and_digest_and_reads_ECRs_answers()
    {
        var manifest = new EcrManifest("{\"schemaVersion\":2}", "application/vnd.docker.distribution.manifest.v2+json", "sha256:d", null);
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenJson(HttpStatusCode.OK, """{"image":{}}""")
            .ThenError(HttpStatusCode.BadRequest, "ImageAlreadyExistsException", "Image with digest 'sha256:d' and tag '1' already exists")
            .ThenError(HttpStatusCode.BadRequest, "ImageTagAlreadyExistsException", "The image tag '1' already exists")
            .ThenError(HttpStatusCode.BadRequest, "LayersNotFoundException", "Layers not found");

        Assert.Equal(EcrPutImageOutcome.Put, await harness.Client.PutImageAsync("app", "210987654321", "1", manifest, CancellationToken.None));
        Assert.Equal(EcrPutImageOutcome.AlreadyThere, await harness.Client.PutImageAsync("app", null, "1", manifest, CancellationToken.None));
        Assert.Equal(EcrPutImageOutcome.TagImmutable, await harness.Client.PutImageAsync("app", null, "1", manifest, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.PutImageAsync("app", null, "1", manifest, CancellationToken.None));

        Assert.Equal("""{"registryId":"210987654321","repositoryName":"app","imageManifest":"{\u0022schemaVersion\u0022:2}","imageManifestMediaType":"application/vnd.docker.distribution.manifest.v2\u002Bjson","imageTag":"1","imageDigest":"sha256:d"}""", harness.Stub.Requests.First().Body);
        Assert.Contains("LayersNotFoundException: Layers not found", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchGetImage_returns_null_when_the_image_is_not_found_or_the_repository_is_missing_and_throws_on_other_failures()
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenJson(HttpStatusCode.OK, """{"images":[],"failures":[{"imageId":{"imageTag":"v1"},"failureCode":"ImageNotFound","failureReason":"Requested image not found"}]}""")
            .ThenError(HttpStatusCode.BadRequest, "RepositoryNotFoundException", "not found")
            .ThenJson(HttpStatusCode.OK, """{"images":[],"failures":[{"imageId":{"imageTag":"v1"},"failureCode":"KmsError","failureReason":"The KMS key is disabled"}]}""");

        Assert.Null(await harness.Client.BatchGetImageAsync("app", null, "v1", CancellationToken.None));
        Assert.Null(await harness.Client.BatchGetImageAsync("app", null, "v1", CancellationToken.None));
        var failure = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.BatchGetImageAsync("app", null, "v1", CancellationToken.None));
        Assert.Contains("could not give the image app:v1: KmsError: The KMS key is disabled.", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"config":{"digest":"sha256:c"}}""", "application/vnd.oci.image.manifest.v1+json", "sha256:c")]
    [InlineData("""{"manifests":[{"digest":"sha256:m"}]}""", "application/vnd.oci.image.index.v1+json", null)]
    [InlineData("""{"config":{"digest":"sha256:c"}}""", "application/vnd.docker.distribution.manifest.list.v2+json", null)]
    [InlineData("""{"config":"sha256:c"}""", "application/vnd.oci.image.manifest.v1+json", null)]
    [InlineData("not json", "application/vnd.oci.image.manifest.v1+json", null)]
    [InlineData("", "application/vnd.oci.image.manifest.v1+json", null)]
    public void The_config_digest_is_read_from_single_image_manifests_only(string manifest, string mediaType, string? expected)
        => Assert.Equal(expected, new EcrManifest(manifest, mediaType, "sha256:d", null).ConfigDigest);

    [Fact]
    public async Task Throttling_is_retried_then_succeeds()
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenError(HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded")
            .ThenJson(HttpStatusCode.OK, """{"repositories":[{"registryId":"123456789012","repositoryName":"app","repositoryUri":"u"}]}""");

        var repository = await harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None);

        Assert.NotNull(repository);
        Assert.Equal(2, harness.Stub.Attempts);
        Assert.Equal([TimeSpan.FromMilliseconds(500)], harness.Delays.ToArray());
        Assert.All(harness.Stub.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 ", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.Equal(["attempt=1; max=3", "attempt=2; max=3"], harness.Stub.Requests.Select(r => r.Headers["amz-sdk-request"]).ToArray());
        Assert.Contains(harness.Log.Lines, line => line.StartsWith("VRB ECR DescribeRepositories: attempt 1 of 3 failed (HTTP 400 ThrottlingException)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throttling_gives_up_after_the_configured_attempts()
    {
        using var harness = new EcrClientHarness(maxAttempts: 4);
        for (var i = 0; i < 4; i++)
        {
            harness.Stub.ThenError(HttpStatusCode.BadRequest, "ThrottlingException", "Rate exceeded");
        }

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None));

        Assert.Equal(4, harness.Stub.Attempts);

        // Full jitter fixed at one half: half of the standard mode's 1, 2 and 4 s ceilings before the second, third and fourth attempts.
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(2000)], harness.Delays.ToArray());
        Assert.Contains("ECR DescribeRepositories in eu-west-3 (https://api.ecr.eu-west-3.amazonaws.com/) failed after 4 attempts: ThrottlingException: Rate exceeded", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Transient_statuses_are_retried(HttpStatusCode status)
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenBody(status, "<html><body>busy</body></html>", "text/html")
            .ThenJson(HttpStatusCode.OK, """{"images":[],"failures":[]}""");

        Assert.Null(await harness.Client.BatchGetImageAsync("app", null, "v1", CancellationToken.None));
        Assert.Equal(2, harness.Stub.Attempts);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenError(HttpStatusCode.BadRequest, "InvalidParameterException", "Invalid parameter at 'repositoryName'");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None));

        Assert.Equal(1, harness.Stub.Attempts);
        Assert.Contains("InvalidParameterException: Invalid parameter at 'repositoryName'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_failures_are_retried_then_reported()
    {
        using var harness = new EcrClientHarness();
        for (var i = 0; i < 3; i++)
        {
            harness.Stub.ThenThrow(new HttpRequestException("Connection refused (api.ecr.eu-west-3.amazonaws.com:443)"));
        }

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.GetAuthorizationAsync(null, CancellationToken.None));

        Assert.Equal(3, harness.Stub.Attempts);
        Assert.Contains("could not be reached (3 attempts): Connection refused", exception.Message, StringComparison.Ordinal);
        Assert.Contains("GetAuthorizationToken", exception.Message, StringComparison.Ordinal);
        Assert.Contains("HTTPS_PROXY", exception.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(exception.InnerException);
    }

    [Fact]
    public async Task A_connection_failure_then_success_succeeds()
    {
        using var harness = new EcrClientHarness();
        harness.Stub
            .ThenThrow(new HttpRequestException("Connection reset"))
            .ThenJson(HttpStatusCode.OK, $$"""{"authorizationData":[{"authorizationToken":"{{Token}}","expiresAt":1800000000,"proxyEndpoint":"https://123456789012.dkr.ecr.eu-west-3.amazonaws.com"}]}""");

        var authorization = await harness.Client.GetAuthorizationAsync(null, CancellationToken.None);

        Assert.Equal("AWS", authorization.UserName);
        Assert.Equal(2, harness.Stub.Attempts);
    }

    [Fact]
    public async Task Each_attempt_has_its_own_timeout()
    {
        using var harness = new EcrClientHarness(attemptTimeout: TimeSpan.FromMilliseconds(50));
        harness.Stub.ThenHang().ThenHang().ThenHang();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.DescribeRepositoryAsync("app", null, CancellationToken.None));

        Assert.Equal(3, harness.Stub.Attempts);
        Assert.Contains("got no answer within 0.1 s (3 attempts)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_call_without_retrying()
    {
        using var harness = new EcrClientHarness();
        using var cancellation = new CancellationTokenSource();
        harness.Stub.Then(async (_, token) =>
        {
            await cancellation.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.DescribeRepositoryAsync("app", null, cancellation.Token));
        Assert.Equal(1, harness.Stub.Attempts);
    }

    [Fact]
    public async Task A_non_json_success_is_reported_without_the_body()
    {
        using var harness = new EcrClientHarness();
        harness.Stub.ThenBody(HttpStatusCode.OK, "<html>Welcome to the hotel wifi</html>", "text/html");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => harness.Client.GetAuthorizationAsync(null, CancellationToken.None));

        Assert.Contains("ECR GetAuthorizationToken (eu-west-3, https://api.ecr.eu-west-3.amazonaws.com/) answered HTTP 200 with a body that is not ECR's JSON (text/html)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_retry_quota_stops_retries_when_spent()
    {
        // 500 tokens at 5 per retry: the hundred-and-first consecutive retry is refused.
        var policy = new StandardRetryPolicy(3);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(policy.TryAcquireRetry(afterTimeout: false, out _));
        }

        Assert.False(policy.TryAcquireRetry(afterTimeout: false, out _));
        policy.OnSuccess(5);
        Assert.True(policy.TryAcquireRetry(afterTimeout: false, out _));
    }

    [Fact]
    public void Backoff_is_exponential_with_full_jitter_and_capped()
    {
        // The standard mode's figures: base 1 s, doubling, capped at 20 s.
        var top = new StandardRetryPolicy(10, static () => 0.999999);
        Assert.InRange(top.Backoff(1).TotalMilliseconds, 999, 1000);
        Assert.InRange(top.Backoff(2).TotalMilliseconds, 1999, 2000);
        Assert.InRange(top.Backoff(5).TotalMilliseconds, 15999, 16000);
        Assert.InRange(top.Backoff(6).TotalMilliseconds, 19999, 20000);
        Assert.InRange(top.Backoff(9).TotalMilliseconds, 19999, 20000);
        Assert.Equal(TimeSpan.Zero, new StandardRetryPolicy(10, static () => 0).Backoff(5));
    }

    [Fact]
    public void The_retry_quota_is_one_per_process_and_endpoint()
    {
        // Each push gets a client (and a policy) of its own; the quota must outlive them, as an SDK client's does.
        var endpoint = new Uri($"https://api.ecr.quota-{Guid.NewGuid():N}.amazonaws.com");
        var first = StandardRetryPolicy.ForEndpoint(endpoint);
        var second = StandardRetryPolicy.ForEndpoint(new Uri(endpoint.AbsoluteUri));
        var elsewhere = StandardRetryPolicy.ForEndpoint(new Uri($"https://api.ecr.quota-{Guid.NewGuid():N}.amazonaws.com"));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(first.TryAcquireRetry(afterTimeout: false, out _));
        }

        Assert.False(second.TryAcquireRetry(afterTimeout: false, out _));
        Assert.True(elsewhere.TryAcquireRetry(afterTimeout: false, out _));
        second.OnSuccess(5);
        Assert.True(first.TryAcquireRetry(afterTimeout: false, out _));
    }
}

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ecr.Internal.Registry;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Registry;

/// <summary>
/// The registry transport's one retry policy and its token refresh, on a registry in memory and a clock whose waits are
/// over at once (the waits the policy chose are read from its log lines).
/// </summary>
public sealed partial class RegistryRetryTests : IDisposable
{
    private const string Host = "registry.test";
    private const string Blob = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private readonly FakeRegistry _registry = new();
    private readonly RecordingLog _log = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task A_registry_that_keeps_failing_gets_four_attempts_in_all_with_growing_waits_and_the_error_says_so()
    {
        _registry.Intercept = _ => FakeRegistry.Error(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "try later");

        var failure = await Assert.ThrowsAsync<RegistryException>(() => Client(randomizer: () => 0.5).BlobExistsAsync("team/web", Blob, CancellationToken.None));

        Assert.Equal(4, _registry.Requests.Count);
        Assert.Equal(4, failure.Attempts);
        Assert.Equal($"The registry {Host} answered 503 Service Unavailable when asked to check the blob {Blob} in team/web (after 4 attempts).", failure.Message);
        var waits = Waits();
        Assert.Equal(3, waits.Count);
        Assert.True(waits[0] < waits[1] && waits[1] < waits[2], $"waits {string.Join(", ", waits)} should grow");
        Assert.InRange(waits[0], 0.1, 1.0);
    }

    [Fact]
    public async Task The_waits_are_jittered_so_that_parallel_blobs_do_not_retry_in_lockstep()
    {
        _registry.Intercept = _ => new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        await Assert.ThrowsAsync<RegistryException>(() => Client(randomizer: () => 0.1).BlobExistsAsync("team/web", Blob, CancellationToken.None));
        var low = Waits();
        await Assert.ThrowsAsync<RegistryException>(() => Client(randomizer: () => 0.9, log: new RecordingLog()).BlobExistsAsync("team/web", Blob, CancellationToken.None));

        Assert.NotEqual(low, Waits(_lastLog!));
    }

    [Fact]
    public async Task A_Retry_After_is_waited_for_as_the_registry_asked_up_to_30_seconds()
    {
#pragma warning disable CA2000 // The registry's answers are the client's to dispose.
        var answers = new Queue<HttpResponseMessage>([Throttled(TimeSpan.FromSeconds(7)), Throttled(TimeSpan.FromHours(1))]);
#pragma warning restore CA2000
        _registry.Intercept = _ => answers.TryDequeue(out var answer) ? answer : null;

        Assert.False(await Client().BlobExistsAsync("team/web", Blob, CancellationToken.None));

        Assert.Equal([7.0, 30.0], Waits());
        Assert.Equal([429, 429, 404], _registry.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_TLS_failure_is_not_retried_and_says_what_to_do()
    {
        _registry.BeforeAnswer = (_, _) => throw new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.", new System.Security.Authentication.AuthenticationException("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot"));

        var failure = await Assert.ThrowsAsync<RegistryException>(() => Client().BlobExistsAsync("team/web", Blob, CancellationToken.None));

        Assert.Equal(RegistryErrorCode.Tls, failure.Code);
        Assert.Equal(1, failure.Attempts);
        Assert.Empty(Waits());
        Assert.Equal($"The TLS connection to the registry {Host} failed when asked to check the blob {Blob} in team/web: The SSL connection could not be established (The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot). If a proxy inspects TLS traffic, add its CA certificate to this machine's trust store; certificate checks are never turned off.", failure.Message);
    }

    [Fact]
    public async Task A_refusal_is_not_retried()
    {
        _registry.Intercept = _ => FakeRegistry.Error(HttpStatusCode.BadRequest, "NAME_INVALID", "invalid repository name");

        var failure = await Assert.ThrowsAsync<RegistryException>(() => Client().GetManifestAsync("team/web", "1", CancellationToken.None));

        Assert.Equal(RegistryErrorCode.NameInvalid, failure.Code);
        Assert.Equal($"The registry {Host} answered 400 Bad Request when asked to read the manifest team/web:1: NAME_INVALID: invalid repository name.", failure.Message);
        Assert.Single(_registry.Requests);
    }

    [Fact]
    public async Task A_token_the_registry_refuses_in_the_middle_of_a_push_is_replaced_once_and_the_request_sent_again()
    {
        _registry.Password = "token-2";
        var refreshes = 0;

        var exists = await Client(password: "token-1", refresh: (refused, _) =>
        {
            Assert.Equal("token-1", refused.Password);
            Interlocked.Increment(ref refreshes);
            return Task.FromResult(new RegistryCredentials("AWS", "token-2"));
        }).BlobExistsAsync("team/web", Blob, CancellationToken.None);

        Assert.False(exists);
        Assert.Equal(1, refreshes);
        Assert.Equal([401, 404], _registry.Requests.Select(r => r.Status));
        Assert.Contains(_log.Lines, l => l == $"VRB The registry {Host} refused the token when asked to check the blob {Blob} in team/web; trying again with a new one");
    }

    [Fact]
    public async Task Requests_refused_at_the_same_time_share_one_refresh_and_a_token_refused_again_ends_the_operation()
    {
        _registry.Password = "token-3";
        var refreshes = 0;
        var gate = new TaskCompletionSource();
        var client = Client(password: "token-1", refresh: async (_, _) =>
        {
            Interlocked.Increment(ref refreshes);
            await gate.Task;
            return new RegistryCredentials("AWS", "token-2");
        });

        var checks = Enumerable.Range(0, 5).Select(_ => client.BlobExistsAsync("team/web", Blob, CancellationToken.None)).ToList();
        await Task.Delay(100);
        gate.SetResult();
        var failures = await Task.WhenAll(checks.Select(check => Assert.ThrowsAsync<RegistryException>(() => check)));

        Assert.Equal(1, refreshes);
        Assert.All(failures, failure => Assert.Equal(RegistryErrorCode.Unauthorized, failure.Code));
        Assert.Equal(10, _registry.Requests.Count);
    }

    private RecordingLog? _lastLog;

    private RegistryClient Client(string password = "secret-token", Func<double>? randomizer = null, RecordingLog? log = null, Func<RegistryCredentials, CancellationToken, Task<RegistryCredentials>>? refresh = null)
    {
        _lastLog = log ?? _log;
        return TestRegistries.Client(_registry, Host, password, _lastLog, new RegistryRetryPolicy(InstantTime.Instance, randomizer), refresh: refresh);
    }

    private static HttpResponseMessage Throttled(TimeSpan retryAfter)
    {
        var answer = FakeRegistry.Error(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "slow down");
        answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter);
        return answer;
    }

    private List<double> Waits(RecordingLog? log = null)
        => [.. (log ?? _log).Lines.Select(line => TryingAgain().Match(line)).Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"Trying again in ([0-9.]+) s\.$")]
    private static partial Regex TryingAgain();
}

using System.Collections.Concurrent;
using System.Security.Cryptography;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The AWS SDKs' "standard" retry mode, as their retry behavior reference gives it: 3 attempts for throttling and
/// transient failures, exponential backoff with full jitter (random in [0, min(1 s × 2^(retry−1), 20 s))), and a retry
/// quota (500 tokens, 5 a retry, 10 after a timeout, 1 back per success without retry) so that a failing service is
/// not hammered. The quota lives per process and endpoint (<see cref="ForEndpoint"/>), as an SDK client's does for
/// the life of a process; the per-push clients here would otherwise each start with a full quota.
/// Our own rather than AWSSDK.Core's <c>StandardRetryPolicy</c>: that one is driven by the SDK's request pipeline
/// (IExecutionContext, IClientConfig, the service's exception types), which a JSON call over HttpClient does not have.
/// </summary>
internal sealed class StandardRetryPolicy
{
    public const int DefaultMaxAttempts = 3;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(20);
    private static readonly ConcurrentDictionary<string, RetryQuota> Quotas = new(StringComparer.OrdinalIgnoreCase);

    // The standard mode's throttling codes. LimitExceededException is left out on purpose: for ECR it means a
    // service quota (repositories per registry) was reached, which no retry cures.
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
    };

    private readonly Func<double> _jitter;
    private readonly RetryQuota _quota;

    /// <param name="maxAttempts">Attempts in all, the first included.</param>
    /// <param name="jitter">A number in [0, 1) for the full jitter; tests fix it.</param>
    /// <param name="quota">The retry quota to draw on; null for one of its own (tests).</param>
    public StandardRetryPolicy(int maxAttempts = DefaultMaxAttempts, Func<double>? jitter = null, RetryQuota? quota = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        MaxAttempts = maxAttempts;
        _jitter = jitter ?? (static () => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue);
        _quota = quota ?? new RetryQuota();
    }

    public int MaxAttempts { get; }

    /// <summary>The policy for calls to <paramref name="endpoint"/>: its retry quota is the one every call of this process to that endpoint draws on.</summary>
    public static StandardRetryPolicy ForEndpoint(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new StandardRetryPolicy(quota: Quotas.GetOrAdd(endpoint.AbsoluteUri, static _ => new RetryQuota()));
    }

    public static bool IsThrottling(string? errorCode, int statusCode)
        => statusCode == 429 || (errorCode is not null && ThrottlingCodes.Contains(errorCode));

    /// <summary>Whether an answer from the service is worth another attempt.</summary>
    public static bool IsRetryable(string? errorCode, int statusCode)
        => IsThrottling(errorCode, statusCode)
            || (errorCode is not null && TransientCodes.Contains(errorCode))
            || statusCode is 500 or 502 or 503 or 504;

    /// <summary>Takes the cost of one retry from the quota; false when the quota is spent.</summary>
    public bool TryAcquireRetry(bool afterTimeout, out int cost) => _quota.TryAcquire(afterTimeout, out cost);

    /// <summary>A success gives back what its retries took, or a little credit when it needed none.</summary>
    public void OnSuccess(int retryCostTaken) => _quota.Release(retryCostTaken);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first): random in [0, min(cap, base × 2^(retry-1))).</summary>
    public TimeSpan Backoff(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * _jitter());
    }
}

/// <summary>The standard mode's retry quota: a bucket of tokens that retries take from and successes give back.</summary>
internal sealed class RetryQuota
{
    private const int InitialQuota = 500;
    private const int RetryCost = 5;
    private const int TimeoutRetryCost = 10;
    private const int NoRetryIncrement = 1;

    private readonly object _gate = new();
    private int _available = InitialQuota;

    public bool TryAcquire(bool afterTimeout, out int cost)
    {
        cost = afterTimeout ? TimeoutRetryCost : RetryCost;
        lock (_gate)
        {
            if (_available < cost)
            {
                return false;
            }

            _available -= cost;
            return true;
        }
    }

    public void Release(int retryCostTaken)
    {
        lock (_gate)
        {
            _available = Math.Min(InitialQuota, _available + (retryCostTaken > 0 ? retryCostTaken : NoRetryIncrement));
        }
    }
}

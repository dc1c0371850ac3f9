using System.Security.Cryptography;

namespace Ecr.Internal.Aws;

/// <summary>
/// The AWS SDKs' "standard" retry mode: a few attempts for throttling and transient failures, exponential
/// backoff with full jitter, and a retry quota so that a failing service is not hammered. One instance per
/// client: the quota is shared by its calls.
/// </summary>
internal sealed class StandardRetryPolicy
{
    public const int DefaultMaxAttempts = 3;

    private const int InitialQuota = 500;
    private const int RetryCost = 5;
    private const int TimeoutRetryCost = 10;
    private const int NoRetryIncrement = 1;

    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(20);

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
    private readonly object _gate = new();
    private int _quota = InitialQuota;

    /// <param name="maxAttempts">Attempts in all, the first included.</param>
    /// <param name="jitter">A number in [0, 1) for the full jitter; tests fix it.</param>
    public StandardRetryPolicy(int maxAttempts = DefaultMaxAttempts, Func<double>? jitter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        MaxAttempts = maxAttempts;
        _jitter = jitter ?? (static () => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue);
    }

    public int MaxAttempts { get; }

    public static bool IsThrottling(string? errorCode, int statusCode)
        => statusCode == 429 || (errorCode is not null && ThrottlingCodes.Contains(errorCode));

    /// <summary>Whether an answer from the service is worth another attempt.</summary>
    public static bool IsRetryable(string? errorCode, int statusCode)
        => IsThrottling(errorCode, statusCode)
            || (errorCode is not null && TransientCodes.Contains(errorCode))
            || statusCode is 500 or 502 or 503 or 504;

    /// <summary>Takes the cost of one retry from the quota; false when the quota is spent.</summary>
    public bool TryAcquireRetry(bool afterTimeout, out int cost)
    {
        cost = afterTimeout ? TimeoutRetryCost : RetryCost;
        lock (_gate)
        {
            if (_quota < cost)
            {
                return false;
            }

            _quota -= cost;
            return true;
        }
    }

    /// <summary>A success gives back what its retries took, or a little credit when it needed none.</summary>
    public void OnSuccess(int retryCostTaken)
    {
        lock (_gate)
        {
            _quota = Math.Min(InitialQuota, _quota + (retryCostTaken > 0 ? retryCostTaken : NoRetryIncrement));
        }
    }

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first): random in [0, min(cap, base × 2^(retry-1))).</summary>
    public TimeSpan Backoff(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * _jitter());
    }
}

using System.Globalization;
using Polly;
using Polly.Retry;

namespace Ecr.Internal.Registry;

/// <summary>
/// When a registry operation is tried again: on a 5xx, a 429 or a connection that could not be made or broke, up to 4
/// attempts in all, exponential backoff from 0.5 s with jitter (so that parallel blobs under ECR's throttling do not
/// retry in lockstep), and the registry's own <c>Retry-After</c> when it gives one (at most 30 s). A refusal (4xx), a
/// TLS or certificate failure and a silent registry are not retried: another attempt would meet the same.
/// </summary>
internal sealed class RegistryRetryPolicy
{
    public const int MaxAttempts = 4;

    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private static readonly ResiliencePropertyKey<string> WhatKey = new("EcrPush.What");
    private static readonly ResiliencePropertyKey<IPushLog> LogKey = new("EcrPush.Log");
    private static readonly ResiliencePropertyKey<int> RetriesKey = new("EcrPush.Retries");

    // Built when first used: a push that never retries a registry operation (an engine pushing one destination) does not pay for it.
    private readonly Lazy<ResiliencePipeline> _pipeline;

    /// <param name="time">The clock the waits run on; tests move a fake one.</param>
    /// <param name="randomizer">A number in [0, 1) for the jitter; tests fix it.</param>
    public RegistryRetryPolicy(TimeProvider? time = null, Func<double>? randomizer = null)
        => _pipeline = new(() => Build(time ?? TimeProvider.System, randomizer));

    /// <summary>The policy of every push: one pipeline for the process, shared by its registries.</summary>
    public static RegistryRetryPolicy Default { get; } = new();

    private static ResiliencePipeline Build(TimeProvider time, Func<double>? randomizer)
    {
        var options = new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<RegistryException>(static exception => exception.IsTransient),
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = FirstDelay,
            MaxDelay = MaxDelay,
            DelayGenerator = static args => new ValueTask<TimeSpan?>(
                args.Outcome.Exception is RegistryException { RetryAfter: { } asked } ? (asked < MaxDelay ? asked : MaxDelay) : null),
            OnRetry = static args =>
            {
                var retries = args.Context.Properties.GetValue(RetriesKey, 0) + 1;
                args.Context.Properties.Set(RetriesKey, retries);
                if (args.Context.Properties.TryGetValue(LogKey, out var log))
                {
                    log.Warning(string.Create(CultureInfo.InvariantCulture, $"Could not {args.Context.Properties.GetValue(WhatKey, "reach the registry")} (attempt {retries} of {MaxAttempts}): {args.Outcome.Exception?.Message} Trying again in {args.RetryDelay.TotalSeconds:0.0} s."));
                }

                return default;
            },
        };
        if (randomizer is not null)
        {
            options.Randomizer = randomizer;
        }

        return new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(options).Build();
    }

    /// <summary>Runs <paramref name="attempt"/> until it succeeds or fails for good; the last failure says how many attempts it made.</summary>
    public async Task<T> ExecuteAsync<T>(string what, IPushLog log, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(WhatKey, what);
        context.Properties.Set(LogKey, log);
        try
        {
            return await _pipeline.Value.ExecuteAsync(static async (context, attempt) => await attempt(context.CancellationToken).ConfigureAwait(false), context, attempt).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (context.Properties.GetValue(RetriesKey, 0) > 0)
        {
            throw exception.AfterAttempts(context.Properties.GetValue(RetriesKey, 0) + 1);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}

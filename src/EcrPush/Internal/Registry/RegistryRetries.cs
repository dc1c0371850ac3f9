using System.Globalization;

namespace Ecr.Internal.Registry;

/// <summary>
/// One registry request tried again on a 5xx, a 429 or a broken connection: 4 attempts, 0.5 s then doubling. The
/// registry's own refusal (4xx) is not retried and ends the push with its answer; the manifest goes up last, so a
/// failure here never leaves a tag behind.
/// </summary>
internal static class RegistryRetries
{
    private const int MaxAttempts = 4;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(RegistryClient registry, IPushLog log, string what, Func<Task> attempt, CancellationToken cancellationToken)
        => await RunAsync(registry, log, what, async () => { await attempt().ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    public static async Task<T> RunAsync<T>(RegistryClient registry, IPushLog log, string what, Func<Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception exception) when (number < MaxAttempts && RegistryClient.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = FirstRetryDelay * Math.Pow(2, number - 1);
                log.Warning(string.Create(CultureInfo.InvariantCulture, $"Could not {what} (attempt {number} of {MaxAttempts}: {exception.Message}); trying again in {delay.TotalSeconds:0.0} s"));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException exception) when (exception.StatusCode is not null)
            {
                // The registry's own answer, which says what it refused; nothing went up after it.
                throw new EcrPushException($"{exception.Message} The image was not pushed (its manifest never went up).", exception);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                throw new EcrPushException($"Could not {what} at the registry {registry.RegistryHost} after {number} attempt{(number == 1 ? "" : "s")}: {exception.Message}. The image was not pushed (its manifest never went up); push again.", exception);
            }
        }
    }
}

using System.Collections.Concurrent;


namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// One authorization token per registry and identity in a process. The key is the connection's
/// <see cref="EcrConnection.CacheKey"/> (endpoint, signing region, identity: the same for every push and destination
/// of that identity, also when a role session renews its keys) and the registry ID. Callers that ask while no token
/// is held share one GetAuthorizationToken call, made through the first caller's client (so it logs to that push's
/// log); later callers reuse the token until an hour before it expires. A cached token past that point is fetched
/// again, never reused; a token fetched for this very call is used as ECR gave it (moto's say they expired in 2015).
/// A token the registry refused during a push is replaced through <see cref="RefreshAsync"/>.
/// </summary>
internal sealed class TokenCache(IEnvironment environment)
{
    // ECR's tokens live 12 hours. A push that starts with a token must not see it expire before its last upload, and
    // a big push can run for more than an hour; a token that expires all the same is refreshed on the 401 (RefreshAsync).
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Lazy<Task<EcrAuthorization>>> _tokens = new(StringComparer.Ordinal);

    public static TokenCache Shared { get; } = new(ProcessEnvironment.Instance);

    public async Task<EcrAuthorization> GetAsync(EcrConnection connection, string? registryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var key = Key(connection, registryId);
        var entry = _tokens.GetOrAdd(key, _ => Fetch(key, connection, registryId));
        var fetchedForThisCall = !entry.IsValueCreated || !entry.Value.IsCompleted;
        var token = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (fetchedForThisCall || token.ExpiresAt - RefreshMargin > environment.Time.GetUtcNow())
        {
            return token;
        }

        _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<EcrAuthorization>>>(key, entry));
        var next = _tokens.GetOrAdd(key, _ => Fetch(key, connection, registryId));
        return await next.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new token in place of <paramref name="stale"/>, which the registry refused (a 401, or ECR's 403 for an expired
    /// token) in the middle of a push. While the cache still holds <paramref name="stale"/> (or holds nothing), it is
    /// dropped and a new one fetched; callers that refresh the same stale token meanwhile share that one fetch; a
    /// caller whose stale token was replaced already gets the replacement without a call.
    /// </summary>
    public async Task<EcrAuthorization> RefreshAsync(EcrConnection connection, string? registryId, EcrAuthorization stale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(stale);
        var key = Key(connection, registryId);
        if (_tokens.TryGetValue(key, out var held))
        {
            var fetch = held.Value;
            if (!fetch.IsCompleted)
            {
                // Under way: it started after the stale token was handed out, so it is the replacement.
                return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (fetch.IsCompletedSuccessfully && await fetch.ConfigureAwait(false) is var current && !ReferenceEquals(current, stale))
            {
                return current;
            }

            // The stale token itself (or a failed fetch not yet gone): only the caller that removes it is the one whose
            // fetch the others then find.
            _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<EcrAuthorization>>>(key, held));
        }

        var next = _tokens.GetOrAdd(key, _ => Fetch(key, connection, registryId));
        return await next.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Key(EcrConnection connection, string? registryId) => $"{connection.CacheKey}|{registryId}";

    /// <summary>
    /// The fetch is shared by every caller waiting for it, so one caller's cancellation must not cancel it. A failed
    /// fetch is not cached: it leaves the cache when it fails, also when every caller that waited for it had given up.
    /// </summary>
    private Lazy<Task<EcrAuthorization>> Fetch(string key, EcrConnection connection, string? registryId)
    {
        Lazy<Task<EcrAuthorization>>? entry = null;
        entry = new(() =>
        {
            var fetch = connection.Client.GetAuthorizationAsync(registryId, CancellationToken.None);
            _ = fetch.ContinueWith(
                _ => _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<EcrAuthorization>>>(key, entry!)),
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return fetch;
        });
        return entry;
    }
}

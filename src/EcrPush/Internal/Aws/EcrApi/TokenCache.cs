using System.Collections.Concurrent;


namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// One authorization token per registry and identity per process: concurrent pushes share one fetch, and
/// later pushes reuse the token until shortly before it expires. A cached token past that point is fetched
/// again, never reused; a token fetched for this very push is used as ECR gave it.
/// </summary>
internal sealed class TokenCache(IEnvironment environment)
{
    // Refresh early, so that a token does not expire between being handed out and the last layer's upload.
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Lazy<Task<EcrAuthorization>>> _tokens = new(StringComparer.Ordinal);

    public static TokenCache Shared { get; } = new(ProcessEnvironment.Instance);

    public async Task<EcrAuthorization> GetAsync(EcrConnection connection, string? registryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var key = $"{connection.CacheKey}|{registryId}";
        var entry = _tokens.GetOrAdd(key, _ => Fetch(key, connection, registryId));
        var fetchedForThisPush = !entry.IsValueCreated || !entry.Value.IsCompleted;
        var token = await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (fetchedForThisPush || token.ExpiresAt - RefreshMargin > environment.Time.GetUtcNow())
        {
            return token;
        }

        _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<EcrAuthorization>>>(key, entry));
        var next = _tokens.GetOrAdd(key, _ => Fetch(key, connection, registryId));
        return await next.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new token in place of <paramref name="stale"/>, which a registry refused in the middle of a push; a caller whose
    /// stale token was replaced already gets the replacement. (Interim: the aws branch brings the shared refresh.)
    /// </summary>
    public async Task<EcrAuthorization> RefreshAsync(EcrConnection connection, string? registryId, EcrAuthorization stale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var key = $"{connection.CacheKey}|{registryId}";
        if (_tokens.TryGetValue(key, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully && ReferenceEquals(await entry.Value.ConfigureAwait(false), stale))
        {
            _tokens.TryRemove(new KeyValuePair<string, Lazy<Task<EcrAuthorization>>>(key, entry));
        }

        var next = _tokens.GetOrAdd(key, _ => Fetch(key, connection, registryId));
        return await next.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fetch is shared by every waiting push, so one caller's cancellation must not cancel it. A failed fetch
    /// is not cached: it leaves the cache when it fails, also when every caller that waited for it had given up.
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

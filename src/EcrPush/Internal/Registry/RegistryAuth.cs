using System.Net.Http.Headers;
using System.Text;

namespace Ecr.Internal.Registry;

/// <summary>A registry's user name and password (ECR's: <c>AWS</c> and the authorization token). <see cref="ToString"/> hides the password.</summary>
internal sealed record RegistryCredentials(string UserName, string Password)
{
    public override string ToString() => $"RegistryCredentials {{ UserName = {UserName} }}";
}

/// <summary>
/// The credentials every request to one registry carries, and the one way to replace them when the registry refuses
/// them in the middle of a push (a token that expired): the replacement is fetched once, however many requests met
/// the refusal at the same time. The password lives in the header value only, never in a message or a log.
/// </summary>
internal sealed class RegistryAuth
{
    private readonly Func<RegistryCredentials, CancellationToken, Task<RegistryCredentials>>? _refresh;
    private readonly object _gate = new();
    private volatile State _state;
    private Task<RegistryCredentials>? _refreshing;

    /// <param name="credentials">What to send now.</param>
    /// <param name="refresh">Fetches new credentials in place of the refused ones; null when there is no way to.</param>
    public RegistryAuth(RegistryCredentials credentials, Func<RegistryCredentials, CancellationToken, Task<RegistryCredentials>>? refresh = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _state = new State(credentials);
        _refresh = refresh;
    }

    public RegistryCredentials Credentials => _state.Credentials;

    public AuthenticationHeaderValue Header => _state.Header;

    /// <summary>
    /// Replaces <paramref name="refused"/> with fresh credentials; false when there is no way to get any. Requests that
    /// met the refusal at the same time share one fetch, which one caller's cancellation does not stop; a caller whose
    /// credentials were replaced meanwhile gets those without another fetch.
    /// </summary>
    public async Task<bool> RefreshAsync(RegistryCredentials refused, CancellationToken cancellationToken)
    {
        if (_refresh is null)
        {
            return false;
        }

        Task<RegistryCredentials> refreshing;
        lock (_gate)
        {
            if (!ReferenceEquals(_state.Credentials, refused))
            {
                return true;
            }

            refreshing = _refreshing ??= FetchAsync(refused);
        }

        await refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<RegistryCredentials> FetchAsync(RegistryCredentials refused)
    {
        try
        {
            var fresh = await _refresh!(refused, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _state = new State(fresh);
            }

            return fresh;
        }
        finally
        {
            lock (_gate)
            {
                _refreshing = null;
            }
        }
    }

    private sealed class State(RegistryCredentials credentials)
    {
        public RegistryCredentials Credentials { get; } = credentials;

        public AuthenticationHeaderValue Header { get; } = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.UserName}:{credentials.Password}")));
    }
}

using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Ecr.Internal.Registry;

/// <summary>
/// How requests reach one registry, apart from what they say (<see cref="RegistryClient"/>): the credentials on every
/// request to the registry's own host (never on a redirect elsewhere), the inactivity limit of each request, failures
/// turned into <see cref="RegistryException"/> codes once, and each operation run under the retry policy, its token
/// replaced once when the registry refuses it in the middle of a push.
/// </summary>
internal sealed class RegistryTransport
{
    private readonly HttpClient _http;
    private readonly RegistryAuth _auth;
    private readonly RegistryRetryPolicy _retries;
    private readonly IPushLog _log;

    /// <param name="http">The HTTP stack (proxy rules, TLS) the registry is reached through.</param>
    /// <param name="registryHost">host[:port], as the ECR token's proxyEndpoint names it.</param>
    /// <param name="auth">The credentials, and how to replace them.</param>
    /// <param name="inactivityTimeout">How long a request may go without sending a byte or getting its answer.</param>
    /// <param name="retries">When an operation is tried again.</param>
    /// <param name="log">Where retries are reported.</param>
    public RegistryTransport(HttpClient http, string registryHost, RegistryAuth auth, TimeSpan inactivityTimeout, RegistryRetryPolicy retries, IPushLog log)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrEmpty(registryHost);
        ArgumentNullException.ThrowIfNull(auth);
        (_http, _auth, _retries, _log) = (http, auth, retries, log);
        RegistryHost = registryHost;
        InactivityTimeout = inactivityTimeout;
        Base = new Uri($"https://{registryHost}/v2/");
    }

    public string RegistryHost { get; }

    public Uri Base { get; }

    public TimeSpan InactivityTimeout { get; }

    /// <summary>
    /// One operation, as many requests as it needs, each attempt from its start (a body is opened again): tried again
    /// as the policy says, and once more with new credentials when the registry refused the token.
    /// </summary>
    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        for (var refreshed = false; ; refreshed = true)
        {
            var sent = _auth.Credentials;
            try
            {
                return await _retries.ExecuteAsync(what, _log, operation, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException exception) when (exception.IsRefusedToken && !refreshed && exception.RegistryHost == RegistryHost)
            {
                if (!await _auth.RefreshAsync(sent, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                _log.Verbose($"The registry {RegistryHost} refused the token when asked to {what}; trying again with a new one");
            }
        }
    }

    public Task RunAsync(string what, Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
        => RunAsync(what, async ct => { await operation(ct).ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>A request to <paramref name="uri"/>; the credentials go only to the registry's own host, over HTTPS.</summary>
    public HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var request = new HttpRequestMessage(method, uri);
        if (string.Equals(uri.Authority, Base.Authority, StringComparison.OrdinalIgnoreCase) && uri.Scheme == Uri.UriSchemeHttps)
        {
            request.Headers.Authorization = _auth.Header;
        }

        return request;
    }

    public HttpRequestMessage Request(HttpMethod method, string path) => Request(method, new Uri(Base, path));

    /// <summary>A watch for one request: cancelled by the caller, or after <see cref="InactivityTimeout"/> unless pushed back.</summary>
    public CancellationTokenSource Watch(CancellationToken cancellationToken)
    {
        var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watch.CancelAfter(InactivityTimeout);
        return watch;
    }

    /// <summary>Sends a request; only the answer's headers are awaited. Every way it can fail without an answer becomes a <see cref="RegistryException"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationTokenSource watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(watch);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watch.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Silent(what, exception);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException && !cancellationToken.IsCancellationRequested)
        {
            throw Broken(what, exception);
        }
    }

    /// <summary>The registry's answer to a request that did not get what it asked for, read into its error code.</summary>
    public Task<RegistryException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
        => RegistryException.FromResponseAsync(response, RegistryHost, what, cancellationToken);

    /// <summary>A failure while a body was read or written, after the request went out: the same codes as for <see cref="SendAsync"/>.</summary>
    public RegistryException Broken(string what, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (IsTls(exception))
        {
            return new RegistryException(
                RegistryErrorCode.Tls,
                RegistryHost,
                $"The TLS connection to the registry {RegistryHost} failed when asked to {what}: {Messages.Sentence(Messages.Cause(exception))} If a proxy inspects TLS traffic, add its CA certificate to this machine's trust store; certificate checks are never turned off.",
                exception);
        }

        return new RegistryException(RegistryErrorCode.Unreachable, RegistryHost, $"The registry {RegistryHost} could not be reached, or the connection broke, when asked to {what}: {Messages.Sentence(Messages.Cause(exception))}", exception);
    }

    public RegistryException Silent(string what, Exception exception) => new(
        RegistryErrorCode.Silent,
        RegistryHost,
        string.Create(CultureInfo.InvariantCulture, $"The registry {RegistryHost} was asked to {what} and went {InactivityTimeout.TotalSeconds:0.#} s without answering or taking a byte. ") +
        $"The registry, or something between it and this build (a proxy, a firewall, a VPN), accepted the request and stopped answering. Push again; if it repeats, check the network path to {RegistryHost}. " +
        $"The limit is {Docker.DockerEngine.InactivityTimeoutVariable} (seconds, 0 for none).",
        exception);

    private static bool IsTls(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AuthenticationException || current is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}

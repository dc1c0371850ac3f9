using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Destinations;

/// <summary>One destination once it is open: its ECR API connection, its registry (token and client), and the repository, which exists.</summary>
internal sealed record DestinationContext(int Index, EcrDestination Destination, EcrConnection Connection, EcrRegistry Registry, EcrRepository Repository, string RepositoryName, IPushLog Log)
{
    /// <summary>The writer into this destination's registry.</summary>
    public ImageWriter Writer => new(Registry.Client, Log, KnownBlobs.Shared);

    /// <summary>The first destination, <see cref="EcrPushSettings.Region"/> and <see cref="EcrPushSettings.RegistryId"/>'s.</summary>
    public bool IsFirst => Index == 0;

    /// <summary><c>registry/repository</c>, as the result names it.</summary>
    public string Target => $"{Registry.Host}/{RepositoryName}";

    public override string ToString() => Target;
}

/// <summary>
/// An ECR registry as a push reaches it: its host (as the token names it), the credentials, and its client, made when
/// first used (an engine pushes a single destination itself: the push then needs no HTTP stack of its own to the registry).
/// </summary>
internal sealed class EcrRegistry(string host, RegistryAuth auth, Func<RegistryClient> client)
{
    private readonly Lazy<RegistryClient> _client = new(client);

    public string Host { get; } = host;

    public RegistryAuth Auth { get; } = auth;

    public RegistryClient Client => _client.Value;
}

/// <summary>
/// Opens an ECR registry for one connection: the token from the process's token cache, masked in the CI log, replaced once
/// when the registry refuses it in the middle of a push (<see cref="RegistryTransport.RunAsync{T}"/>), and a client
/// over the push's HTTP stack and the one retry policy.
/// </summary>
internal sealed class RegistryAccess(Lazy<HttpClient> http, TokenCache tokens, Ci.CiService ci, TimeSpan inactivityTimeout, RegistryRetryPolicy retries, IPushLog log)
{
    public async Task<EcrRegistry> OpenAsync(EcrConnection connection, string? registryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var token = await tokens.GetAsync(connection, registryId, cancellationToken).ConfigureAwait(false);
        ci.MaskSecret(token.Password, log);
        var auth = new RegistryAuth(new RegistryCredentials(token.UserName, token.Password), async (_, ct) =>
        {
            token = await tokens.RefreshAsync(connection, registryId, token, ct).ConfigureAwait(false);
            ci.MaskSecret(token.Password, log);
            return new RegistryCredentials(token.UserName, token.Password);
        });
        var host = token.RegistryHost;
        return new EcrRegistry(host, auth, () => new RegistryClient(new RegistryTransport(http.Value, host, auth, inactivityTimeout, retries, log)));
    }
}

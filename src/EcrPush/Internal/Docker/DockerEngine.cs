using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Docker;

/// <summary>The Engine API through Docker.DotNet. One client per endpoint per process, so connections are reused.</summary>
internal sealed class DockerEngine : IDockerEngine
{
    /// <summary>Sets <see cref="InactivityTimeout"/>, in seconds; 0 turns it off.</summary>
    public const string InactivityTimeoutVariable = "ECRPUSH_PUSH_INACTIVITY_TIMEOUT";

    /// <summary>
    /// The engine retries a failed layer upload itself (5 tries, 5 to 20 s apart, a message each second while it
    /// waits) and reports progress every 512 KiB, but it waits for a registry that accepts a request and never
    /// answers without any limit. Five minutes without a single message is far beyond a slow link's gaps.
    /// </summary>
    public static readonly TimeSpan DefaultInactivityTimeout = TimeSpan.FromMinutes(5);

    // A lookup or tag that takes longer than this is an engine that is not answering, not a slow one.
    private static readonly TimeSpan QuickCallTimeout = TimeSpan.FromSeconds(15);
    private static readonly ConcurrentDictionary<EngineTarget, DockerClient> Clients = new();
    private static readonly ConcurrentDictionary<Uri, bool> PlainRemoteWarnings = new();

    // Pushes to one repository from this process take turns: two at once upload the same config blob side by side,
    // which a registry may get wrong (measured on docker-distribution: 2 rounds in 5 of five concurrent pushes of one
    // image failed, "invalid checksum digest format" / "blob unknown"). The second push finds every layer there.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> RepositoryTurns = new(StringComparer.Ordinal);

    private DockerEngine(EngineTarget target, TimeSpan inactivityTimeout)
    {
        Target = target;
        InactivityTimeout = inactivityTimeout;
    }

    public Uri Endpoint => Target.Endpoint;

    public EngineTarget Target { get; }

    // Made at first use, not in Connect: building it loads and compiles the client, which a first call should do
    // on the lookup's own thread, beside the AWS steps, not before them.
    private DockerClient Client => Clients.GetOrAdd(Target, static target => EngineClients.Create(target));

    /// <summary>How long a push may go without any message from the engine before it is stopped; infinite when off.</summary>
    public TimeSpan InactivityTimeout { get; }

    /// <summary>
    /// The engine at the given endpoint, else as the Docker CLI finds it (<see cref="EngineTarget"/>). Plain TCP to
    /// another machine carries the registry token in clear: a warning, once per process and endpoint.
    /// </summary>
    public static DockerEngine Connect(Uri? endpoint, EngineOptions options, IEnvironment environment, IPushLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = EngineTarget.Resolve(endpoint, options, environment);
        target.ThrowIfNoSocket();
        if (target.IsPlainRemote && options.RequireTls)
        {
            throw new EcrPushException(Messages.Lines(
                $"The Docker engine at {target.Endpoint} (from {target.Source}) is reached over plain TCP, and RequireDockerTls is on: the registry token would travel unencrypted.",
                "Reach it over TLS (DockerTlsVerify or DOCKER_TLS_VERIFY with DockerCertPath or DOCKER_CERT_PATH, or a Docker context with TLS), or turn RequireDockerTls off."));
        }

        if (target.IsPlainRemote && log is not null && PlainRemoteWarnings.TryAdd(target.Endpoint, true))
        {
            log.Warning($"The Docker engine at {target.Endpoint} (from {target.Source}) is reached over plain TCP: the registry token (valid 12 hours) would travel unencrypted in each push request. Use TLS (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or a Docker context with TLS), or an SSH tunnel.");
        }

        return new DockerEngine(target, ReadInactivityTimeout(environment));
    }

    /// <summary><see cref="InactivityTimeoutVariable"/> as a time span: whole or decimal seconds, 0 for none; unset gives the default.</summary>
    internal static TimeSpan ReadInactivityTimeout(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var value = environment.GetVariable(InactivityTimeoutVariable)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return DefaultInactivityTimeout;
        }

        if (!double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || seconds > TimeSpan.FromDays(1).TotalSeconds)
        {
            throw new EcrPushException($"The environment variable {InactivityTimeoutVariable} is '{value}'; it must be a number of seconds between 0 (no limit) and 86400.");
        }

        return seconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds);
    }

    public async Task<EngineImage> FindImageAsync(Sources.EngineImageSpec source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.IsId
            ? await FindByIdAsync(source.Reference, cancellationToken).ConfigureAwait(false)
            : await FindByNameAsync(source.Reference, cancellationToken).ConfigureAwait(false);
    }

    public Task TagAsync(string imageId, string repository, string tag, CancellationToken cancellationToken)
        => CallAsync(
            $"tag {imageId} as {repository}:{tag}",
            ct => Client.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repository, Tag = tag }, ct),
            cancellationToken);

    public async Task<string> PushAsync(string repository, string tag, string registryHost, RegistryCredentials credentials, IPushLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var progress = new PushProgress(log);
        var auth = new AuthConfig { ServerAddress = registryHost, Username = credentials.UserName, Password = credentials.Password };
        var turn = RepositoryTurns.GetOrAdd(repository, static _ => new SemaphoreSlim(1, 1));
        if (!await turn.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            log.Verbose($"Waiting for another push to {repository} from this process to finish");
            await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        using var watch = new PushInactivityWatch(progress, InactivityTimeout, cancellationToken);
        try
        {
            await Client.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag }, auth, watch, watch.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (watch.TimedOut && !cancellationToken.IsCancellationRequested)
        {
            // Docker.DotNet ends in a cancellation or a broken stream; either way the cause is the silence.
            throw new EcrPushException(
                $"The push of {repository}:{tag} to {registryHost} was stopped: the Docker engine reported nothing for {Seconds(InactivityTimeout)} (last: {watch.LastMessage ?? "no message at all"}). " +
                $"The registry, or something between the engine and it (a proxy, a firewall, a VPN), accepted the upload and stopped answering; the engine waits for it without a limit. Push again; if it repeats, check the engine's network path to {registryHost}. " +
                $"The limit is {InactivityTimeoutVariable} (seconds, 0 for none).",
                exception);
        }
        catch (Exception exception) when (IsUnreachable(exception) && !cancellationToken.IsCancellationRequested)
        {
            throw Unreachable($"push {repository}:{tag}", exception);
        }
        catch (DockerApiException exception)
        {
            throw new EcrPushException($"The Docker engine at {Endpoint} refused to push {repository}:{tag}: {Describe(exception)}", exception);
        }
        finally
        {
            turn.Release();
        }

        if (progress.Error is { } error)
        {
            throw RegistryRefusal(registryHost, $"push {repository}:{tag}", error);
        }

        return progress.Digest
            ?? throw new EcrPushException($"The push of {repository}:{tag} ended without a digest from the registry at {registryHost}: the engine's stream closed early; try again, and check the engine's log if it repeats.");
    }

    /// <summary>
    /// The engine reports a registry's refusal as text only, its OCI code lowercased with spaces ("tag invalid: …",
    /// "unauthorized: …", "denied: …"), its own failures after its retries in words ("received unexpected HTTP status:
    /// 500 …"). Read here, once, into the code the rest of the push acts on.
    /// </summary>
    internal static RegistryException RegistryRefusal(string registryHost, string what, string error)
    {
        var colon = error.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon > 0 ? error[..colon].Trim().Replace(' ', '_').ToUpperInvariant() : string.Empty;
        var code = prefix switch
        {
            "TAG_INVALID" => RegistryErrorCode.TagInvalid,
            "UNAUTHORIZED" => RegistryErrorCode.Unauthorized,
            "DENIED" => RegistryErrorCode.Denied,
            "MANIFEST_INVALID" => RegistryErrorCode.ManifestInvalid,
            "MANIFEST_BLOB_UNKNOWN" => RegistryErrorCode.ManifestBlobUnknown,
            "BLOB_UNKNOWN" => RegistryErrorCode.BlobUnknown,
            "NAME_UNKNOWN" => RegistryErrorCode.NameUnknown,
            "TOOMANYREQUESTS" => RegistryErrorCode.TooManyRequests,
            _ => RegistryErrorCode.Unknown,
        };
        return new RegistryException(code, registryHost, $"The Docker engine's push to {registryHost} failed when asked to {what}: {error}");
    }

    public Task RemoveTagAsync(string reference, CancellationToken cancellationToken)
        => CallAsync(
            $"remove the tag {reference}",
            ct => Client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = false, NoPrune = true }, ct),
            cancellationToken);

    private async Task<EngineImage> FindByNameAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            var image = await CallAsync($"look up {reference}", ct => Client.Images.InspectImageAsync(reference, ct), cancellationToken).ConfigureAwait(false);
            return new EngineImage(image.ID, [.. image.RepoTags ?? []]);
        }
        catch (EcrPushException exception) when (exception.InnerException is DockerImageNotFoundException)
        {
            // name:tag or name@digest; the name alone finds the engine's other tags of it.
            var name = reference[..(reference.Contains('@', StringComparison.Ordinal) ? reference.IndexOf('@', StringComparison.Ordinal) : reference.LastIndexOf(':'))];
            var others = await ListAsync(new ImagesListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { [name] = true } } }, cancellationToken).ConfigureAwait(false);
            var known = others.SelectMany(i => i.RepoTags ?? []).Where(t => t.StartsWith(name + ":", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(10).ToList();
            var hint = known.Count == 0 ? $"the engine has no image named {name}" : $"the engine has {string.Join(", ", known)}";
            throw new EcrPushException($"The image {reference} is not in the Docker engine at {Endpoint} ({hint}). Build or pull it first, or correct SourceImageName and SourceImageTag.", exception.InnerException);
        }
    }

    private async Task<EngineImage> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        var prefix = id.StartsWith("sha256:", StringComparison.Ordinal) ? id : "sha256:" + id;
        var images = await ListAsync(new ImagesListParameters { All = true }, cancellationToken).ConfigureAwait(false);
        var matches = images.Where(i => i.ID.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => new EngineImage(matches[0].ID, [.. matches[0].RepoTags ?? []]),
            0 => throw new EcrPushException($"No image in the Docker engine at {Endpoint} has an ID starting with {id}. Check SourceImageId against `docker images --no-trunc`."),
            _ => throw new EcrPushException($"SourceImageId {id} matches {matches.Count} images in the Docker engine at {Endpoint} ({string.Join(", ", matches.Take(5).Select(m => m.ID))}): give more characters of the ID."),
        };
    }

    private Task<IList<ImagesListResponse>> ListAsync(ImagesListParameters parameters, CancellationToken cancellationToken)
        => CallAsync("list images", ct => Client.Images.ListImagesAsync(parameters, ct), cancellationToken);

    private async Task CallAsync(string what, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
        => await CallAsync<bool>(what, async ct => { await call(ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    private async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(QuickCallTimeout);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(what, new TimeoutException($"no answer in {QuickCallTimeout.TotalSeconds:0} s", exception));
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            throw Unreachable(what, exception);
        }
        catch (DockerApiException exception)
        {
            throw new EcrPushException($"The Docker engine at {Endpoint} could not {what}: {Describe(exception)}", exception);
        }
    }

    private EcrPushException Unreachable(string what, Exception exception)
        => Target.Tls is { } tls && EngineClients.IsTlsFailure(exception, tls)
            ? EngineClients.TlsFailure(Target, tls, what, exception)
            : new($"The Docker engine at {Endpoint} did not answer when asked to {what} ({Innermost(exception).Message}). Start Docker, or point DockerHost (or DOCKER_HOST) at a running engine.", exception);

    private static bool IsUnreachable(Exception exception)
        => exception is HttpRequestException or SocketException or IOException or TimeoutException or System.Security.Authentication.AuthenticationException
            || exception.InnerException is SocketException or HttpRequestException or System.Security.Authentication.AuthenticationException;

    private static string Seconds(TimeSpan span)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    /// <summary>The engine's answer as a sentence: its status, and the message of its JSON error body read as JSON (so that its escapes do not show).</summary>
    private static string Describe(DockerApiException exception)
    {
        var body = exception.ResponseBody?.Trim() ?? string.Empty;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                body = message.GetString() ?? string.Empty;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the body as it came.
        }

        return Messages.Sentence($"{(int)exception.StatusCode} {(exception.StatusCode == HttpStatusCode.NotFound ? "not found" : exception.StatusCode.ToString())}: {body}");
    }
}

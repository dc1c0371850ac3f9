using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ecr.Internal.Docker;

/// <summary>
/// Where the engine is and how to reach it, found as the Docker CLI finds it: the DockerHost setting, else
/// <c>DOCKER_HOST</c> (both with <c>DOCKER_TLS_VERIFY</c> / <c>DOCKER_TLS</c> and <c>DOCKER_CERT_PATH</c>), else the
/// context named by <c>DOCKER_CONTEXT</c> or by <c>currentContext</c> in <c>$DOCKER_CONFIG/config.json</c> (its host
/// and TLS files under <c>$DOCKER_CONFIG/contexts</c>), else the platform's default socket or pipe.
/// </summary>
/// <param name="Endpoint">The engine's endpoint as given (<c>unix://</c>, <c>npipe://</c>, <c>tcp://</c>, …).</param>
/// <param name="Source">Where the endpoint came from, for messages.</param>
/// <param name="Tls">The TLS material when the connection is TLS; null for none.</param>
internal sealed record EngineTarget(Uri Endpoint, string Source, EngineTls? Tls)
{
    /// <summary>Whether the endpoint is TCP without TLS to a host that is not this machine: the registry token would cross the network in clear.</summary>
    public bool IsPlainRemote => Tls is null && Endpoint.Scheme is "tcp" or "http" && !IsLoopback(Endpoint.Host);

    /// <summary>
    /// A unix socket that is not there is said at once, with where the endpoint came from: reaching for it would only
    /// fail later, as an engine that "did not answer", which sends the user to look at a running engine.
    /// </summary>
    public void ThrowIfNoSocket()
    {
        if (Endpoint.Scheme == "unix" && !File.Exists(Endpoint.LocalPath))
        {
            throw new EcrPushException(Messages.Lines(
                $"There is no Docker engine socket at {Endpoint.LocalPath}: the endpoint {Endpoint} (from {Source}) names a file that does not exist.",
                "Start Docker, or point at a running engine: the DockerHost setting or DOCKER_HOST (e.g. unix:///var/run/docker.sock),",
                "or a Docker context (the DockerContext setting, DOCKER_CONTEXT, or `docker context use NAME`; `docker context ls` lists them)."));
        }
    }

    public static EngineTarget Resolve(Uri? dockerHost, EngineOptions options, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (dockerHost is not null)
        {
            return new EngineTarget(dockerHost, "the DockerHost setting", TlsFor(dockerHost, options, environment));
        }

        var configDirectory = environment.GetVariable("DOCKER_CONFIG") ?? Path.Combine(environment.HomeDirectory, ".docker");

        // As docker --context: the setting wins over DOCKER_HOST.
        if (options.Context is { } chosen)
        {
            return chosen == "default" ? Default() : FromContext(chosen, "the DockerContext setting", configDirectory);
        }

        if (environment.GetVariable("DOCKER_HOST") is { } fromEnvironment)
        {
            if (!Uri.TryCreate(fromEnvironment, UriKind.Absolute, out var endpoint))
            {
                throw new EcrPushException($"DOCKER_HOST {SettingsValidator.Show(fromEnvironment)} is not an absolute URI: set it to the engine's endpoint, e.g. unix:///var/run/docker.sock, or set DockerHost.");
            }

            return new EngineTarget(endpoint, "DOCKER_HOST", TlsFor(endpoint, options, environment));
        }

        var (context, contextSource) = environment.GetVariable("DOCKER_CONTEXT") is { } named
            ? (named, "DOCKER_CONTEXT")
            : (CurrentContext(configDirectory), $"currentContext in {Path.Combine(configDirectory, "config.json")}");
        if (context is not null && context != "default")
        {
            return FromContext(context, contextSource, configDirectory);
        }

        return Default();
    }

    private static EngineTarget Default()
        => new(OperatingSystem.IsWindows() ? new Uri("npipe://./pipe/docker_engine") : new Uri("unix:///var/run/docker.sock"), "the platform's default", null);

    private static bool IsLoopback(string host)
        => host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    /// <summary>
    /// The DockerTlsVerify setting, else DOCKER_TLS_VERIFY (any value) or DOCKER_TLS, turn TLS on for a tcp:// endpoint,
    /// with the files of the DockerCertPath setting, else DOCKER_CERT_PATH, else ~/.docker.
    /// </summary>
    private static EngineTls? TlsFor(Uri endpoint, EngineOptions options, IEnvironment environment)
    {
        var tls = options.TlsVerify ?? (environment.GetVariable("DOCKER_TLS_VERIFY") is not null || environment.GetVariable("DOCKER_TLS") is not null);
        if (!tls || endpoint.Scheme is not ("tcp" or "https"))
        {
            return null;
        }

        var (directory, source) = options.CertPath is { } setting ? (setting, "the DockerCertPath setting")
            : environment.GetVariable("DOCKER_CERT_PATH") is { } variable ? (variable, "DOCKER_CERT_PATH")
            : (Path.Combine(environment.HomeDirectory, ".docker"), "the default DOCKER_CERT_PATH");
        return EngineTls.FromDirectory(directory, source);
    }

    private static string? CurrentContext(string configDirectory)
    {
        var path = Path.Combine(configDirectory, "config.json");
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("currentContext", out var current) && current.ValueKind == JsonValueKind.String
                ? current.GetString() is { Length: > 0 } name ? name : null
                : null;
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new EcrPushException($"The Docker configuration {path} could not be read ({exception.Message}); EcrPush reads only its currentContext. Fix the file, or set DockerHost or DOCKER_HOST.", exception);
        }
    }

    /// <summary>A context as the Docker CLI stores it: meta/&lt;sha256 of the name&gt;/meta.json, and its TLS files under tls/&lt;same&gt;/docker/.</summary>
    private static EngineTarget FromContext(string name, string source, string configDirectory)
    {
        var id = string.Concat(SHA256.HashData(Encoding.UTF8.GetBytes(name)).Select(static b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var meta = Path.Combine(configDirectory, "contexts", "meta", id, "meta.json");
        if (!File.Exists(meta))
        {
            throw new EcrPushException($"The Docker context '{name}' (from {source}) is not there: {meta} does not exist. Create it (docker context create), choose another one, or set DockerHost or DOCKER_HOST.");
        }

        string? host;
        bool skipVerify;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(meta));
            var docker = document.RootElement.GetProperty("Endpoints").GetProperty("docker");
            host = docker.TryGetProperty("Host", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            skipVerify = docker.TryGetProperty("SkipTLSVerify", out var skip) && skip.ValueKind == JsonValueKind.True;
        }
        catch (KeyNotFoundException exception)
        {
            throw new EcrPushException($"The Docker context '{name}' (from {source}) in {meta} names no Docker engine (it has no Endpoints.docker). Recreate it with docker context create.", exception);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new EcrPushException($"The Docker context '{name}' (from {source}) could not be read from {meta}: {Messages.Sentence(exception.Message)} Recreate it with docker context create.", exception);
        }

        if (host is null || !Uri.TryCreate(host, UriKind.Absolute, out var endpoint))
        {
            throw new EcrPushException(Messages.Lines(
                $"The Docker context '{name}' (from {source}) names no usable engine host in {meta} ({(host is null ? "none" : SettingsValidator.Show(host))}).",
                $"Give it one (docker context update {name} --docker host=unix:///var/run/docker.sock), choose another context, or set DockerHost or DOCKER_HOST."));
        }

        if (skipVerify)
        {
            throw new EcrPushException(Messages.Lines(
                $"The Docker context '{name}' (from {source}) turns TLS verification off (SkipTLSVerify in {meta}).",
                "EcrPush never turns certificate checks off, as the registry token goes to that engine.",
                $"Give the context the engine's CA: docker context update {name} --docker \"host=…,ca=…,cert=…,key=…\"."));
        }

        var tlsDirectory = Path.Combine(configDirectory, "contexts", "tls", id, "docker");
        var tls = Directory.Exists(tlsDirectory) && endpoint.Scheme is "tcp" or "https"
            ? EngineTls.FromDirectory(tlsDirectory, $"the TLS files of context '{name}'")
            : null;
        return new EngineTarget(endpoint, $"the Docker context '{name}' (from {source})", tls);
    }
}

/// <summary>
/// The files of a TLS connection to the engine, as the Docker CLI names them: <c>ca.pem</c> (the engine's authority;
/// the machine's trust store when absent), <c>cert.pem</c> and <c>key.pem</c> (the client certificate, when present).
/// Only paths: the files are read when the connection is made, and each missing or broken one is named.
/// </summary>
internal sealed record EngineTls(string? CaFile, string? CertificateFile, string? KeyFile, string Source)
{
    public static EngineTls FromDirectory(string directory, string source)
    {
        string? Optional(string file) => File.Exists(Path.Combine(directory, file)) ? Path.Combine(directory, file) : null;
        var certificate = Optional("cert.pem");
        var key = Optional("key.pem");
        if ((certificate is null) != (key is null))
        {
            var missing = Path.Combine(directory, certificate is null ? "cert.pem" : "key.pem");
            throw new EcrPushException(Messages.Lines(
                $"The Docker engine's TLS client certificate is incomplete: {missing} (from {source}) does not exist.",
                "An engine started with --tlsverify needs cert.pem and key.pem beside ca.pem: copy them there,",
                "or point DockerCertPath (or DOCKER_CERT_PATH) at the folder that has them."));
        }

        return new EngineTls(Optional("ca.pem"), certificate, key, $"{source}, {directory}");
    }
}

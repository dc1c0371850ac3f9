using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// A faithful offline stand-in for Amazon ECR, made of real parts and running on this machine:
/// <list type="bullet">
/// <item><description><c>moto_server</c> answers the ECR API (GetAuthorizationToken, CreateRepository, …) at <see cref="EcrEndpoint"/>;</description></item>
/// <item><description>one <c>docker-registry</c> per region serves <see cref="RegistryHost"/> over TLS with Basic auth
/// <c>AWS</c>:<see cref="RegistryPassword"/>, the password that moto's authorization token decodes to, behind a
/// gateway (<see cref="RegistryGateway"/>) that records every pushed manifest in moto and refuses to move an
/// immutable tag, as ECR's registry does;</description></item>
/// <item><description>a private <c>dockerd</c> at <see cref="DockerHost"/> resolves those host names to the registries
/// and trusts the stack's own certificate authority, through a mount namespace of its own: the machine's
/// <c>/etc/hosts</c> and <c>/etc/docker</c> stay untouched.</description></item>
/// </list>
/// Several stacks can run at once. Needs Linux, root, and the packages docker.io, docker-registry, apache2-utils
/// and moto[server].
/// </summary>
/// <example>
/// <code>
/// await using var stack = await LocalEcrStack.StartAsync();
/// var imageId = await stack.BuildImageAsync("web:1", layers: 3);
/// using var registry = stack.CreateRegistryClient("us-east-1");
/// </code>
/// </example>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A stack of services, not a Stack<T>.")]
public sealed partial class LocalEcrStack : IAsyncDisposable
{
    /// <summary>The AWS account that moto serves.</summary>
    public const string AccountId = "123456789012";

    /// <summary>The registries' password for user <c>AWS</c>: what moto's authorization token decodes to.</summary>
    public const string RegistryPassword = AccountId + "-auth-token";

    private const string RegistryUser = "AWS";
    private const string EngineName = "dockerd";
    private static readonly TimeSpan EngineStopGrace = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PartStopGrace = TimeSpan.FromSeconds(5);

    // What dockerd spawns, for the sweep that teardown makes after stopping it.
    private static readonly string[] EngineHelpers =
        ["dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v1", "containerd-shim-runc-v2", "runc"];

    // Variables that would send the engine's registry traffic, all of it local, to a proxy.
    private static readonly string[] ProxyVariables =
        ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"];

    private readonly ToolSet _tools;
    private readonly TextWriter? _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IPAddress> _regionAddresses;
    private readonly Dictionary<string, IPAddress> _hostAddresses;
    private readonly Dictionary<string, IPAddress> _engineAddresses;
    private readonly Dictionary<string, IPAddress> _backendAddresses;
    private readonly Dictionary<string, RegistryGateway> _gateways = new(StringComparer.Ordinal);
    private readonly MotoEcrApi _ecrApi;
    private readonly List<ChildProcess> _processes = [];
    private readonly StackCertificates _certificates;
    private readonly DockerEngine _engine;
    private readonly HttpClient _registryProbe;
    private Uri? _ecrEndpoint;
    private IReadOnlyDictionary<string, string>? _awsEnvironment;
    private string? _engineMountNamespace;
    private int? _containerdPid;
    private readonly PosixSignalRegistration[] _terminationSignals;
    private Task? _disposal;
    private int _emergencyTeardown;

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The HttpClient owns the handler.")]
    [SupportedOSPlatform("linux")]
    private LocalEcrStack(LocalEcrStackOptions options, ToolSet tools, IReadOnlyList<IPAddress> addresses, string stateDirectory)
    {
        _tools = tools;
        _log = options.Log;
        StateDirectory = stateDirectory;
        Regions = [.. options.Regions];

        _regionAddresses = Regions.Zip(addresses).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        _hostAddresses = Regions.Zip(addresses).ToDictionary(pair => HostOf(pair.First), pair => pair.Second, StringComparer.OrdinalIgnoreCase);

        // The gateways hold the registries' public addresses; docker-registry listens on the next ones. With fronts,
        // the addresses after those are where the engine goes instead (see FrontRegistries).
        _backendAddresses = Regions.Zip(addresses.Skip(Regions.Count)).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        var engineAddresses = options.FrontRegistries ? addresses.Skip(2 * Regions.Count) : addresses;
        _engineAddresses = Regions.Zip(engineAddresses).ToDictionary(pair => HostOf(pair.First), pair => pair.Second, StringComparer.OrdinalIgnoreCase);

        EngineSocket = Path.Combine(stateDirectory, "d.sock");
        DockerHost = "unix://" + EngineSocket;
        _certificates = StackCertificates.Create(_hostAddresses.Keys);
        _engine = new DockerEngine(EngineSocket);
        _registryProbe = new HttpClient(CreateRegistryHandler(), disposeHandler: true);
        _ecrApi = new MotoEcrApi(() => EcrEndpoint);
        InitializeEngineTls(options);

        // A stack that is never disposed (a crashed test run, a script stopped by Ctrl+C or killed by a CI time-out)
        // must not leave an engine running with nobody to stop it. .NET raises ProcessExit on a normal exit and on
        // Ctrl+C but not on SIGTERM or SIGHUP, whose handlers here let the process end as it would anyway.
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        _terminationSignals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => TearDownNow()),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => TearDownNow()),
        ];
    }

    /// <summary>The regions served, one registry each; the first is <c>AWS_REGION</c> in <see cref="AwsEnvironment"/>.</summary>
    public IReadOnlyList<string> Regions { get; }

    /// <summary>The private Docker engine, as a Docker host URI: <c>unix:///…/d.sock</c>.</summary>
    public string DockerHost { get; }

    /// <summary>The ECR API (moto), e.g. <c>http://127.0.0.1:23456</c>; any AWS SDK reaches it through <c>AWS_ENDPOINT_URL_ECR</c>.</summary>
    public Uri EcrEndpoint => _ecrEndpoint ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>
    /// The environment that points an AWS SDK or CLI at this stack: <c>AWS_ENDPOINT_URL_ECR</c>,
    /// <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c> (both <c>testing</c>), <c>AWS_REGION</c> (the first
    /// of <see cref="Regions"/>) and <c>AWS_EC2_METADATA_DISABLED</c> (<c>true</c>, so that no SDK waits for an
    /// instance metadata service).
    /// </summary>
    public IReadOnlyDictionary<string, string> AwsEnvironment =>
        _awsEnvironment ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>Where the stack's certificates, configuration, data and logs live; deleted on dispose.</summary>
    public string StateDirectory { get; }

    private string EngineSocket { get; }

    /// <summary>
    /// Starts moto, one registry per region and a private Docker engine, and waits until all of them answer.
    /// Takes about a second on a 2-core machine.
    /// </summary>
    /// <param name="options">Regions, log and time-out; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels start-up; whatever has started is stopped again.</param>
    /// <returns>The running stack. Dispose it to stop everything and delete <see cref="StateDirectory"/>.</returns>
    /// <exception cref="InvalidOperationException">
    /// A part is missing or did not become ready; the message says which, how to fix it, and ends with that
    /// part's log.
    /// </exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public static async Task<LocalEcrStack> StartAsync(
        LocalEcrStackOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalEcrStackOptions();
        Validate(options);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("LocalEcrStack runs on Linux only: it needs dockerd and mount namespaces.");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException(
                "LocalEcrStack must run as root: dockerd and `unshare --mount` need it. Fix: run the tests as root, " +
                "e.g. in the project's CI container.");
        }

        var tools = ToolSet.Locate();
        var addresses = LoopbackAddresses.PickRegistryAddresses(options.Regions.Count * (options.FrontRegistries ? 3 : 2));
        var stack = new LocalEcrStack(options, tools, addresses, CreateStateDirectory());
        try
        {
            await stack.StartPartsAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The registry host name of <paramref name="region"/>: <c>123456789012.dkr.ecr.&lt;region&gt;.amazonaws.com</c>.</summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public string RegistryHost(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return _regionAddresses.ContainsKey(region)
            ? HostOf(region)
            : throw new ArgumentException(
                $"This stack serves no region '{region}'; it serves {string.Join(", ", Regions)}.", nameof(region));
    }

    /// <summary>Where the registry of <paramref name="region"/> listens: a loopback address, port 443.</summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public IPEndPoint RegistryEndPoint(string region) => new(_hostAddresses[RegistryHost(region)], 443);

    /// <summary>
    /// Where the engine connects for <see cref="RegistryHost"/>(<paramref name="region"/>): with
    /// <see cref="LocalEcrStackOptions.FrontRegistries"/>, a loopback address of its own, port 443, where the caller
    /// listens; otherwise the same as <see cref="RegistryEndPoint"/>.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public IPEndPoint EngineRegistryEndPoint(string region) => new(_engineAddresses[RegistryHost(region)], 443);

    /// <summary>
    /// The TLS certificate of the registry of <paramref name="region"/>, with its private key: what a front that
    /// terminates TLS presents to the engine (which trusts the stack's authority for that host). The caller disposes it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public X509Certificate2 CreateRegistryCertificate(string region)
    {
        var server = _certificates.Servers[RegistryHost(region)];
        return X509Certificate2.CreateFromPem(server.CertificatePem, server.PrivateKeyPem);
    }

    /// <summary>
    /// Every request that the registry of <paramref name="region"/> answered (through its gateway, from anyone), in
    /// order: what a test reads to see that nothing was uploaded, or that a manifest PUT was refused.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <exception cref="ArgumentException">The stack does not serve <paramref name="region"/>.</exception>
    public IReadOnlyList<RegistryRequest> RegistryRequests(string region) => _gateways[_regionAddresses.ContainsKey(region) ? region : RegistryHost(region)].Requests;

    /// <summary>
    /// Opens a TLS connection to the registry of <paramref name="region"/> as ECR's host serves it (not a caller's front), with the real
    /// host name for SNI, and its certificate checked against the stack's authority alone. The caller disposes it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    /// <param name="cancellationToken">Cancels connecting and the handshake.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The SslStream owns the socket's stream, and is returned.")]
    public async Task<SslStream> ConnectRegistryAsync(string region, CancellationToken cancellationToken = default)
    {
        var host = RegistryHost(region);
        ThrowIfDisposed();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        try
        {
            await socket.ConnectAsync(RegistryEndPoint(region), cancellationToken).ConfigureAwait(false);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = CreateTrustPolicy() },
                cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes an image <c>FROM scratch</c> in the private engine out of <paramref name="layers"/> files of random
    /// bytes, one distinct layer each, and tags it <paramref name="reference"/>. The image is composed here and
    /// loaded (as <c>docker load</c> does), which is what a <c>COPY</c> per layer would build, without the classic
    /// builder's second per step.
    /// </summary>
    /// <param name="reference">
    /// The tag, <c>name[:tag]</c> (<c>:latest</c> when left out), e.g. <c>web:1</c> or <c>&lt;RegistryHost&gt;/team/web:1</c>.
    /// </param>
    /// <param name="layers">How many layers, at least 1.</param>
    /// <param name="bytesPerLayer">The size of each layer's file, at least 1.</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    /// <returns>The image ID, <c>sha256:…</c>.</returns>
    public async Task<string> BuildImageAsync(
        string reference, int layers = 1, int bytesPerLayer = 64 * 1024, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerLayer, 1);
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{reference}' names a digest; an image can only be tagged name[:tag].", nameof(reference));
        }

        ThrowIfDisposed();

        // A tag follows the last colon only when that colon comes after the last slash (else it is a registry port).
        var tagged = reference.LastIndexOf(':') > reference.LastIndexOf('/') ? reference : reference + ":latest";
        var clock = Stopwatch.StartNew();
        var (archive, imageId) = ImageArchive.Create(tagged, layers, bytesPerLayer);
        using (archive)
        {
            await _engine.LoadAsync(archive, tagged, imageId, cancellationToken).ConfigureAwait(false);
        }

        Log(string.Create(
            CultureInfo.InvariantCulture, $"built {tagged} ({layers} × {bytesPerLayer} bytes) as {imageId} in {Seconds(clock)}"));
        return imageId;
    }

    /// <summary>
    /// An HTTP client for the registry of <paramref name="region"/>: requests to
    /// <c>https://&lt;RegistryHost(region)&gt;/</c> (its <see cref="HttpClient.BaseAddress"/>) reach that region's
    /// loopback registry, whose certificate is checked against the stack's certificate authority alone, and carry
    /// Basic auth <c>AWS</c>:<see cref="RegistryPassword"/>. For checking what arrived, e.g.
    /// <c>GET v2/&lt;repository&gt;/tags/list</c>. The caller disposes it.
    /// </summary>
    /// <param name="region">One of <see cref="Regions"/>.</param>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The HttpClient owns the handler.")]
    public HttpClient CreateRegistryClient(string region)
    {
        var host = RegistryHost(region);
        ThrowIfDisposed();
        var client = new HttpClient(CreateRegistryHandler(), disposeHandler: true)
        {
            BaseAddress = new Uri($"https://{host}/"),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryUser}:{RegistryPassword}")));
        return client;
    }

    /// <summary>
    /// Stops everything the stack started (dockerd and its containerd, the registries, moto), and deletes
    /// <see cref="StateDirectory"/>. Safe to call more than once.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposal ??= TearDownAsync();
            return new ValueTask(_disposal);
        }
    }

    private static string HostOf(string region) => $"{AccountId}.dkr.ecr.{region}.amazonaws.com";

    private static void Validate(LocalEcrStackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Regions, "options.Regions");
        if (options.Regions.Count is 0 or > 200)
        {
            throw new ArgumentException("LocalEcrStackOptions.Regions must name between 1 and 200 regions.", nameof(options));
        }

        foreach (var region in options.Regions)
        {
            if (region is null || !RegionName().IsMatch(region))
            {
                throw new ArgumentException(
                    $"LocalEcrStackOptions.Regions holds '{region ?? "null"}', which is not a region name such as us-east-1.",
                    nameof(options));
            }
        }

        if (options.Regions.Distinct(StringComparer.OrdinalIgnoreCase).Count() != options.Regions.Count)
        {
            throw new ArgumentException("LocalEcrStackOptions.Regions names a region twice.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StartTimeout, TimeSpan.Zero, "options.StartTimeout");
    }

    // A region becomes part of a host name: lower-case DNS label characters only.
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();

    [SupportedOSPlatform("linux")]
    private static string CreateStateDirectory()
    {
        // The engine's unix socket lives here, and a socket path may not exceed 107 bytes: a long TMPDIR falls back to /tmp.
        var root = Path.GetTempPath();
        if (Encoding.UTF8.GetByteCount(root) > 60)
        {
            root = "/tmp";
        }

        while (true)
        {
            var directory = Path.Combine(root, "ecr-stack-" + RandomNumberGenerator.GetHexString(8, lowercase: true));
            if (!Path.Exists(directory))
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                return directory;
            }
        }
    }

    private static string Seconds(Stopwatch clock) =>
        string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.00} s");

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [SupportedOSPlatform("linux")]
    private async Task StartPartsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await WriteConfigurationAsync(cancellationToken).ConfigureAwait(false);
        foreach (var region in Regions)
        {
            _gateways[region] = new RegistryGateway(
                region, RegistryEndPoint(region), new IPEndPoint(_backendAddresses[region], 443), CreateRegistryCertificate(region), _ecrApi, Log);
        }

        Log($"configuration written to {StateDirectory} in {Seconds(clock)}");

        // Every part starts at once; the first to fail cancels the others' waiting so that the failure surfaces at once.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IReadOnlyList<Task> parts =
        [
            Guard(StartMotoAsync(clock, timeout, failFast.Token)),
            Guard(StartEngineAsync(clock, timeout, failFast.Token)),
            .. Regions.Select(region => Guard(StartRegistryAsync(region, clock, timeout, failFast.Token))),
        ];

        try
        {
            await Task.WhenAll(parts).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            var failures = parts
                .Where(part => part.IsFaulted)
                .SelectMany(part => part.Exception!.InnerExceptions)
                .Where(exception => exception is not OperationCanceledException)
                .ToList();
            switch (failures.Count)
            {
                case 0:
                    throw;
                case 1:
                    ExceptionDispatchInfo.Throw(failures[0]);
                    break;
                default:
                    throw new InvalidOperationException(
                        string.Join(Environment.NewLine + Environment.NewLine, failures.Select(failure => failure.Message)), failures[0]);
            }
        }

        Log($"started in {Seconds(clock)}: ECR API {EcrEndpoint}, Docker host {DockerHost}, registries " +
            string.Join(", ", Regions.Select(region => $"{HostOf(region)} → {_regionAddresses[region]}" +
                (_engineAddresses[HostOf(region)].Equals(_regionAddresses[region]) ? string.Empty : $" (the engine goes to the front {_engineAddresses[HostOf(region)]})"))));

        async Task Guard(Task part)
        {
            try
            {
                await part.ConfigureAwait(false);
            }
            catch
            {
                await failFast.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    [SupportedOSPlatform("linux")]
    private async Task WriteConfigurationAsync(CancellationToken cancellationToken)
    {
        var tls = Directory.CreateDirectory(Path.Combine(StateDirectory, "tls")).FullName;
        await File.WriteAllTextAsync(Path.Combine(tls, "ca.crt"), _certificates.AuthorityPem, cancellationToken).ConfigureAwait(false);

        // /etc/docker of the engine's namespace: certs.d/<host>/ca.crt makes it trust the stack's authority for that host.
        var etcDocker = Path.Combine(StateDirectory, "etc-docker");
        foreach (var host in _hostAddresses.Keys)
        {
            var certs = Directory.CreateDirectory(Path.Combine(etcDocker, "certs.d", host)).FullName;
            await File.WriteAllTextAsync(Path.Combine(certs, "ca.crt"), _certificates.AuthorityPem, cancellationToken).ConfigureAwait(false);
        }

        // /etc/hosts of the engine's namespace: the machine's entries plus the registry host names.
        var hosts = new StringBuilder();
        if (File.Exists("/etc/hosts"))
        {
            hosts.Append(await File.ReadAllTextAsync("/etc/hosts", cancellationToken).ConfigureAwait(false)).Append('\n');
        }

        hosts.Append("# LocalEcrStack registries\n");
        foreach (var (host, address) in _engineAddresses)
        {
            hosts.Append(CultureInfo.InvariantCulture, $"{address} {host}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(StateDirectory, "hosts"), hosts.ToString(), cancellationToken).ConfigureAwait(false);

        await WriteHtpasswdAsync(cancellationToken).ConfigureAwait(false);
        await WriteEngineTlsFilesAsync(cancellationToken).ConfigureAwait(false);

        foreach (var region in Regions)
        {
            var host = HostOf(region);
            // docker-registry (CNCF distribution 2.x) configuration; upload purging is off as it only adds log noise.
            // Plain HTTP on an address that only its gateway uses: the gateway terminates TLS for the ECR host name.
            var configuration = $"""
                version: 0.1
                log:
                  level: info
                  formatter: text
                storage:
                  filesystem:
                    rootdirectory: {Quote(Path.Combine(StateDirectory, "registry-" + region))}
                  delete:
                    enabled: true
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: {_backendAddresses[region]}:443
                  secret: {RandomNumberGenerator.GetHexString(32)}
                auth:
                  htpasswd:
                    realm: {Quote(host)}
                    path: {Quote(Path.Combine(StateDirectory, "htpasswd"))}

                """;
            await File.WriteAllTextAsync(RegistryConfigurationPath(region), configuration, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The registries' password file, with bcrypt as docker-registry requires; the password goes through stdin, never argv.</summary>
    private async Task WriteHtpasswdAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(_tools.Htpasswd)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-i", "-B", "-n", RegistryUser])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {_tools.Htpasswd}.");
        await process.StandardInput.WriteLineAsync(RegistryPassword.AsMemory(), cancellationToken).ConfigureAwait(false);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"LocalEcrStack: htpasswd failed with code {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()}. " +
                "Fix: apt-get install apache2-utils");
        }

        await File.WriteAllTextAsync(
            Path.Combine(StateDirectory, "htpasswd"), (await output.ConfigureAwait(false)).Trim() + "\n", cancellationToken).ConfigureAwait(false);
    }

    private string RegistryConfigurationPath(string region) => Path.Combine(StateDirectory, $"registry-{region}.yml");

    private ChildProcess Launch(
        string name, string logFile, IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? environment = null)
    {
        lock (_gate)
        {
            // Teardown may already run (start-up cancelled); a part started now would have nobody to stop it.
            ObjectDisposedException.ThrowIf(_disposal is not null, this);
            var process = ChildProcess.Start(_tools, name, Path.Combine(StateDirectory, logFile), StateDirectory, command, environment);
            _processes.Add(process);
            return process;
        }
    }

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The HttpClient owns the handler.")]
    private async Task StartMotoAsync(Stopwatch clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }, disposeHandler: true);
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackAddresses.PickMotoPort();
            var endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
            var logFile = attempt == 1 ? "moto.log" : string.Create(CultureInfo.InvariantCulture, $"moto-{attempt}.log");
            var moto = Launch("moto_server", logFile, [_tools.MotoServer, "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)]);
            try
            {
                await Readiness.WaitAsync(
                    moto,
                    $"moto_server (the ECR API) at {endpoint}",
                    async token =>
                    {
                        // The log line proves that this moto holds the port, not another stack's that got it meanwhile.
                        if (!LogFile.Contains(moto.LogPath, $"Running on {endpoint.OriginalString}"))
                        {
                            return "it has not said it is listening yet";
                        }

                        using var response = await http.GetAsync(new Uri(endpoint, "/moto-api/"), token).ConfigureAwait(false);
                        return null;
                    },
                    $"check that `{_tools.MotoServer} -H 127.0.0.1 -p {port}` runs; install moto with pip install \"moto[server]\"",
                    clock,
                    timeout,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (attempt < 3 && moto.HasExited && LogFile.Contains(moto.LogPath, "Address already in use"))
            {
                // Another program took the port between the check and moto's bind: try another one.
                Log($"port {port} was taken before moto bound it; trying another");
                continue;
            }

            _ecrEndpoint = endpoint;
            _awsEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL_ECR"] = endpoint.OriginalString,
                ["AWS_ACCESS_KEY_ID"] = "testing",
                ["AWS_SECRET_ACCESS_KEY"] = "testing",
                ["AWS_REGION"] = Regions[0],
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            }.AsReadOnly();
            Log($"moto_server ready at {endpoint} after {Seconds(clock)}");
            return;
        }
    }

    private async Task StartRegistryAsync(string region, Stopwatch clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var host = HostOf(region);
        var registry = Launch($"docker-registry ({region})", $"registry-{region}.log", [_tools.DockerRegistry, "serve", RegistryConfigurationPath(region)]);
        var v2 = new Uri($"https://{host}/v2/");
        await Readiness.WaitAsync(
            registry,
            $"docker-registry for {host} at {_regionAddresses[region]}:443",
            async token =>
            {
                // Without credentials the registry must refuse: 401 proves TLS (checked against the stack's authority) and auth are in place.
                using var response = await _registryProbe.GetAsync(v2, token).ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.Unauthorized
                    ? null
                    : $"GET {v2} answered {(int)response.StatusCode} instead of 401";
            },
            "see the log: 'address already in use' means another program holds that address; otherwise check " +
            "docker-registry 2.x (apt-get install docker-registry)",
            clock,
            timeout,
            cancellationToken).ConfigureAwait(false);
        Log($"docker-registry for {host} ready at {_regionAddresses[region]}:443 after {Seconds(clock)}");
    }

    private async Task StartEngineAsync(Stopwatch clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var dataRoot = Path.Combine(StateDirectory, "docker");
        var execRoot = Path.Combine(StateDirectory, "x");

        // In a mount namespace of its own, the engine sees the stack's hosts file and /etc/docker (certs.d) in place
        // of the machine's, which stay untouched. /etc/docker is created if missing only to serve as a mount point.
        const string Script =
            "set -e; mount=$1; $mount --bind \"$2\" /etc/hosts; mkdir -p /etc/docker; $mount --bind \"$3\" /etc/docker; shift 3; exec \"$@\"";
        string[] command =
        [
            _tools.Unshare, "--mount", "--propagation", "private",
            _tools.Shell, "-c", Script, "sh", _tools.Mount, Path.Combine(StateDirectory, "hosts"), Path.Combine(StateDirectory, "etc-docker"),
            _tools.Dockerd,
            "--data-root", dataRoot,
            "--exec-root", execRoot,
            "--host", DockerHost,
            "--pidfile", Path.Combine(StateDirectory, "dockerd.pid"),
            "--storage-driver=vfs",
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            .. EngineTlsArguments(),
        ];

        // dockerd finds containerd and runc on its PATH, which must include sbin.
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal) { ["PATH"] = string.Join(':', ToolSet.SearchPath) };
        foreach (var variable in ProxyVariables)
        {
            environment[variable] = null;
        }

        var engine = Launch(EngineName, "dockerd.log", command, environment);
        var ownNamespace = ProcessTable.MountNamespaceOf(Environment.ProcessId);
        await Readiness.WaitAsync(
            engine,
            $"dockerd at {DockerHost}",
            async token =>
            {
                // Noted as early as possible, so that teardown can find whatever the engine spawns in it.
                if (_engineMountNamespace is null && ProcessTable.MountNamespaceOf(engine.Id) is { } engineNamespace &&
                    !string.Equals(engineNamespace, ownNamespace, StringComparison.Ordinal))
                {
                    _engineMountNamespace = engineNamespace;
                }

                await _engine.PingAsync(token).ConfigureAwait(false);
                return null;
            },
            "dockerd needs root, mount namespaces (unshare --mount) and containerd and runc (apt-get install docker.io); see its log",
            clock,
            timeout,
            cancellationToken).ConfigureAwait(false);

        if (_engineMountNamespace is null && ProcessTable.MountNamespaceOf(engine.Id) is { } readyNamespace &&
            !string.Equals(readyNamespace, ownNamespace, StringComparison.Ordinal))
        {
            _engineMountNamespace = readyNamespace;
        }

        var containerdPidFile = Path.Combine(execRoot, "containerd", "containerd.pid");
        if (File.Exists(containerdPidFile) &&
            int.TryParse(await File.ReadAllTextAsync(containerdPidFile, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, out var containerdPid))
        {
            _containerdPid = containerdPid;
        }

        Log($"dockerd ready at {DockerHost} after {Seconds(clock)}");
    }

    /// <summary>The stack's authority as the only trust anchor: a certificate from anywhere else fails, and so does a wrong host name.</summary>
    private X509ChainPolicy CreateTrustPolicy()
    {
        var trust = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        trust.CustomTrustStore.Add(_certificates.Authority);
        return trust;
    }

    private SocketsHttpHandler CreateRegistryHandler()
    {
        var trust = CreateTrustPolicy();
        var addresses = _hostAddresses;
        return new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = trust },

            // Requests keep the real ECR host name (SNI, certificate check, Host header) but travel to the loopback
            // registry that stands in for it, without any change to the machine's name resolution.
            ConnectCallback = async (context, cancellationToken) =>
            {
                if (!addresses.TryGetValue(context.DnsEndPoint.Host, out var address))
                {
                    throw new HttpRequestException(
                        $"{context.DnsEndPoint.Host} is not a registry of this LocalEcrStack (it serves {string.Join(", ", addresses.Keys)}).");
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }

    private async Task TearDownAsync()
    {
        // DisposeAsync starts this under the lock; the work itself need not hold it.
        await Task.Yield();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var registration in _terminationSignals)
        {
            registration.Dispose();
        }

        var clock = Stopwatch.StartNew();
        ChildProcess[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        try
        {
            // dockerd stops its containerd on SIGTERM; it gets more time to do so cleanly.
            foreach (var gateway in _gateways.Values)
            {
                await gateway.DisposeAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(processes.Select(StopAsync)).ConfigureAwait(false);
            await StopLeftoversAsync().ConfigureAwait(false);
            await UnmountLeftoversAsync().ConfigureAwait(false);
            DeleteStateDirectory();
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }

            _registryProbe.Dispose();
            _ecrApi.Dispose();
            _engine.Dispose();
            _certificates.Dispose();
        }

        Log($"stopped in {Seconds(clock)}");
    }

    private async Task StopAsync(ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        await process.StopAsync(process.Name == EngineName ? EngineStopGrace : PartStopGrace).ConfigureAwait(false);
        Log($"stopped {process.Name} in {Seconds(clock)}");
    }

    /// <summary>
    /// Whatever the engine spawned and left running: its containerd (known by pid file), anything else in its
    /// mount namespace, and any engine helper naming the state directory (in case the namespace was never seen).
    /// </summary>
    private HashSet<int> FindLeftovers()
    {
        var leftovers = ProcessTable.FindReferencing(StateDirectory, EngineHelpers).ToHashSet();
        if (_engineMountNamespace is { } engineNamespace)
        {
            leftovers.UnionWith(ProcessTable.FindInMountNamespace(engineNamespace));
        }

        if (_containerdPid is { } containerd && ProcessTable.IsAlive(containerd) &&
            (ProcessTable.ReadCommandLine(containerd)?.Any(argument => argument.Contains(StateDirectory, StringComparison.Ordinal)) ?? false))
        {
            leftovers.Add(containerd);
        }

        return leftovers;
    }

    private async Task StopLeftoversAsync()
    {
        IReadOnlyList<int> leftovers = [.. FindLeftovers()];
        if (leftovers.Count == 0)
        {
            return;
        }

        Log($"stopping what the engine left running: {string.Join(", ", leftovers.Select(Describe))}");
        foreach (var pid in leftovers)
        {
            NativeMethods.Signal(pid, NativeMethods.SigTerm);
        }

        leftovers = await ProcessTable.WaitForExitAsync(leftovers, PartStopGrace).ConfigureAwait(false);
        foreach (var pid in leftovers)
        {
            NativeMethods.Signal(pid, NativeMethods.SigKill);
        }

        leftovers = await ProcessTable.WaitForExitAsync(leftovers, PartStopGrace).ConfigureAwait(false);
        if (leftovers.Count > 0)
        {
            Log($"could not stop: {string.Join(", ", leftovers.Select(Describe))}");
        }

        static string Describe(int pid) =>
            string.Create(CultureInfo.InvariantCulture, $"{pid} ({string.Join(' ', ProcessTable.ReadCommandLine(pid) ?? [])})");
    }

    /// <summary>
    /// The engine's mounts live and die with its private namespace; this catches any that reached this namespace
    /// anyway, since the directory cannot be deleted under a mount.
    /// </summary>
    private async Task UnmountLeftoversAsync()
    {
        foreach (var mountPoint in ProcessTable.FindMountsUnder(StateDirectory))
        {
            using var umount = Process.Start(new ProcessStartInfo(_tools.Umount) { ArgumentList = { "--lazy", mountPoint }, UseShellExecute = false });
            if (umount is not null)
            {
                await umount.WaitForExitAsync().ConfigureAwait(false);
                Log($"unmounted {mountPoint} (exit code {umount.ExitCode})");
            }
        }
    }

    private void DeleteStateDirectory()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(StateDirectory))
                {
                    Directory.Delete(StateDirectory, recursive: true);
                }

                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A process that was just killed may still be closing files there. (Blocking is fine: this is
                // rare, and the handler for process exit cannot await.)
                if (attempt == 5)
                {
                    Log($"could not delete {StateDirectory}: {exception.Message}");
                    return;
                }

                Thread.Sleep(100 * attempt);
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => TearDownNow();

    /// <summary>Last resort when the process ends without disposing the stack: kill everything at once, delete what can be.</summary>
    private void TearDownNow()
    {
        if (Interlocked.Exchange(ref _emergencyTeardown, 1) != 0)
        {
            return;
        }

        ChildProcess[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            process.Kill();
        }

        var leftovers = FindLeftovers();
        foreach (var pid in leftovers)
        {
            NativeMethods.Signal(pid, NativeMethods.SigKill);
        }

        // Give the kernel a moment to end them so that the directory can go.
        ProcessTable.WaitForExitAsync([.. processes.Select(process => process.Id), .. leftovers], TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        DeleteStateDirectory();
    }

    private void ThrowIfDisposed()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposal is not null, this);
        }
    }

    private void Log(string message)
    {
        if (_log is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                _log.WriteLine($"[LocalEcrStack] {message}");
            }
            catch (Exception exception) when (exception is ObjectDisposedException or InvalidOperationException)
            {
                // A test's output may already be closed when teardown reports; the stack must still stop.
            }
        }
    }
}

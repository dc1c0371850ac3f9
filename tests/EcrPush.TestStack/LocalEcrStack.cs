using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// A faithful offline stand-in for Amazon ECR, made of real parts and running on this machine:
/// <list type="bullet">
/// <item><description><c>moto_server</c> answers the ECR API (GetAuthorizationToken, CreateRepository, …) at <see cref="EcrEndpoint"/>,
/// behind a front whose PutImage also writes the manifest into the region's registry, as ECR's shared storage does;</description></item>
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
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _engineMountNamespaceHold;
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
        Sites = [.. Regions, PublicSite];

        // Each site (a region's registry, ECR Public's) has one address, under its IPv4 and its dual-stack host name.
        _regionAddresses = Sites.Zip(addresses).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        _hostAddresses = Sites.Zip(addresses).SelectMany(pair => HostsOf(pair.First).Select(host => (host, pair.Second))).ToDictionary(pair => pair.host, pair => pair.Second, StringComparer.OrdinalIgnoreCase);

        // The gateways hold the registries' public addresses; docker-registry listens on the next ones. With fronts,
        // the addresses after those are where the engine goes instead (see FrontRegistries).
        _backendAddresses = Sites.Zip(addresses.Skip(Sites.Count)).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        var engineAddresses = options.FrontRegistries ? addresses.Skip(2 * Sites.Count) : addresses;
        _engineAddresses = Sites.Zip(engineAddresses).SelectMany(pair => HostsOf(pair.First).Select(host => (host, pair.Second))).ToDictionary(pair => pair.host, pair => pair.Second, StringComparer.OrdinalIgnoreCase);

        EngineSocket = Path.Combine(stateDirectory, "d.sock");
        DockerHost = "unix://" + EngineSocket;
        _certificates = StackCertificates.Create([.. Sites.Select(HostsOf), EcrApiHostNames]);
        _engine = new DockerEngine(EngineSocket);
        _registryProbe = new HttpClient(CreateRegistryHandler(through: null), disposeHandler: true);
        _ecrApi = new MotoEcrApi(() => MotoEndpoint);
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

    /// <summary>
    /// Every registry the stack serves: one per region, then ECR Public's (<see cref="PublicSite"/>). A method that takes a
    /// region takes <see cref="PublicSite"/> too, for the public registry.
    /// </summary>
    public IReadOnlyList<string> Sites { get; }

    /// <summary>The private Docker engine, as a Docker host URI: <c>unix:///…/d.sock</c>.</summary>
    public string DockerHost { get; }

    /// <summary>
    /// The ECR API (moto, behind the front that makes a PutImage pullable from the registry as in ECR), e.g.
    /// <c>http://127.0.0.1:23456</c>; any AWS SDK reaches it through <c>AWS_ENDPOINT_URL_ECR</c>.
    /// </summary>
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
        var addresses = LoopbackAddresses.PickRegistryAddresses((options.Regions.Count + 1) * (options.FrontRegistries ? 3 : 2));
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

    private static string HostOf(string site) => site == PublicSite ? PublicRegistryHostName : $"{AccountId}.dkr.ecr.{site}.amazonaws.com";

    /// <summary>A site's host names: the IPv4 one, then the dual-stack one AWS documents for it.</summary>
    private static string[] HostsOf(string site) => [HostOf(site), DualStackHostOf(site)];

    private static string DualStackHostOf(string site) => site == PublicSite ? PublicDualStackHostName : $"{AccountId}.dkr-ecr.{site}.on.aws";

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

        if (options.Regions.Contains(PublicSite, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"LocalEcrStackOptions.Regions holds '{PublicSite}', the name of the stack's ECR Public registry; it is served always.", nameof(options));
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

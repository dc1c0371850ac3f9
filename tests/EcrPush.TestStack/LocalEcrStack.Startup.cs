using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Ecr.TestStack;

// Starting the parts: their configuration files, moto, one registry per region, and the private dockerd.
public sealed partial class LocalEcrStack
{
    [SupportedOSPlatform("linux")]
    private async Task StartPartsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await WriteConfigurationAsync(cancellationToken).ConfigureAwait(false);
        foreach (var site in Sites)
        {
            // ECR Public's registry keeps its records in the stack's ECR Public API; the regions' in moto, with the 2025 behaviours of the API's front.
            _gateways[site] = site == PublicSite
                ? new RegistryGateway(site, RegistryEndPoint(site), new IPEndPoint(_backendAddresses[site], 443), CreateRegistryCertificate(site), _publicApi, Log)
                : new RegistryGateway(site, RegistryEndPoint(site), new IPEndPoint(_backendAddresses[site], 443), CreateRegistryCertificate(site), _ecrApi, Log) { State = _apiState };
        }

        Log($"configuration written to {StateDirectory} in {Seconds(clock)}");

        // Every part starts at once; the first to fail cancels the others' waiting so that the failure surfaces at once.
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IReadOnlyList<Task> parts =
        [
            Guard(StartMotoAsync(clock, timeout, failFast.Token)),
            Guard(StartEngineAsync(clock, timeout, failFast.Token)),
            .. Sites.Select(site => Guard(StartRegistryAsync(site, clock, timeout, failFast.Token))),
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
            string.Join(", ", Sites.Select(region => $"{HostOf(region)} and {DualStackHostOf(region)} → {_regionAddresses[region]}" +
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

        foreach (var region in Sites)
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

            _ecrEndpoint = StartEcrApiGateway(endpoint);
            _awsEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL_ECR"] = _ecrEndpoint.OriginalString,
                ["AWS_ENDPOINT_URL_ECR_PUBLIC"] = _ecrEndpoint.OriginalString,
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
                HoldEngineMountNamespace(engine.Id, ownNamespace);

                await _engine.PingAsync(token).ConfigureAwait(false);
                return null;
            },
            "dockerd needs root, mount namespaces (unshare --mount) and containerd and runc (apt-get install docker.io); see its log",
            clock,
            timeout,
            cancellationToken).ConfigureAwait(false);

        HoldEngineMountNamespace(engine.Id, ownNamespace);

        var containerdPidFile = Path.Combine(execRoot, "containerd", "containerd.pid");
        if (File.Exists(containerdPidFile) &&
            int.TryParse(await File.ReadAllTextAsync(containerdPidFile, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, out var containerdPid))
        {
            _containerdPid = containerdPid;
        }

        Log($"dockerd ready at {DockerHost} after {Seconds(clock)}");
    }

    /// <summary>
    /// Notes the engine's private mount namespace once it has one (before <c>unshare</c> it is still ours), and holds it
    /// open until teardown has swept it: a freed namespace's number goes to the next new one, which may be another
    /// stack's engine applying a layer, and the sweep must never find that one.
    /// </summary>
    private void HoldEngineMountNamespace(int enginePid, string? ownNamespace)
    {
        if (_engineMountNamespace is not null || ProcessTable.HoldMountNamespaceOf(enginePid) is not { } held)
        {
            return;
        }

        if (string.Equals(held.Name, ownNamespace, StringComparison.Ordinal))
        {
            held.Hold.Dispose();
            return;
        }

        _engineMountNamespaceHold = held.Hold;
        _engineMountNamespace = held.Name;
    }
}

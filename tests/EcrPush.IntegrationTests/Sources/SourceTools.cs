using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Ecr.Internal;
using Ecr.Internal.Logging;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// How the engine-free tests reach the stand-in and make their inputs. The library's registry client goes to the ECR
/// host by name, as in production; the machine cannot resolve that name (only the stack's engine namespace can), so
/// the tests hand the library a handler hook (<see cref="Pusher.ConfigureRegistryHandler"/>) that sends the connection
/// for that host to the stand-in's loopback address and trusts the stack's authority. The request itself (URL, Host,
/// SNI, certificate name check, Basic auth) is unchanged.
/// </summary>
internal static class SourceTools
{
    /// <summary>Pushes as EcrTasks.EcrPushAsync does, with the registry's connections going to <paramref name="endPoint"/>.</summary>
    public static Task<EcrPushResult> PushAsync(LocalEcrStack stack, IPEndPoint endPoint, EcrPushSettings settings, Action<System.Net.Http.SocketsHttpHandler>? more = null, CancellationToken cancellationToken = default)
        => PushAsync(stack, settings, _ => endPoint, more, cancellationToken);

    /// <summary>
    /// Pushes as EcrTasks.EcrPushAsync does, each region's registry host reached at that region's registry on loopback
    /// (a push to several regions copies between them from this process).
    /// </summary>
    public static Task<EcrPushResult> PushAsync(LocalEcrStack stack, EcrPushSettings settings, Action<string>? connecting = null, CancellationToken cancellationToken = default)
    {
        // Every registry host the stack serves: each region's and ECR Public's, under their IPv4 and dual-stack names.
        var endPoints = stack.RegistryEndPoints;
        return PushAsync(stack, settings, host =>
        {
            connecting?.Invoke(host);
            return endPoints[host];
        }, more: null, cancellationToken);
    }

    /// <summary>
    /// Pushes as <see cref="PushAsync(LocalEcrStack, EcrPushSettings, Action{string}?, CancellationToken)"/> does, and the ECR
    /// API calls go to the AWS endpoints' own names (not AWS_ENDPOINT_URL_ECR, which the caller removes): the stand-in's API
    /// front answers them over TLS with a certificate of the stack's authority. <paramref name="apiHosts"/> receives each
    /// API host name the library connected to.
    /// </summary>
    public static async Task<EcrPushResult> PushUnderAwsNamesAsync(LocalEcrStack stack, EcrPushSettings settings, Action<string> apiHosts)
    {
        using var authority = await AuthorityAsync(stack, CancellationToken.None);
        var apiEndPoint = stack.EcrApiTlsEndPoint;
        var registries = stack.RegistryEndPoints;
        var pusher = Pusher.Create(
            new SerilogPushLog(Serilog.Log.Logger),
            handler => Route(handler, authority, host => registries[host]),
            handler => Route(handler, authority, host =>
            {
                Assert.Contains(host, stack.EcrApiHostNames);
                apiHosts(host);
                return apiEndPoint;
            }));
        return await pusher.PushAsync(settings, CancellationToken.None);
    }

    /// <summary>
    /// Pushes as EcrTasks.EcrPushAsync does, the registry hosts in <paramref name="fronts"/> reached at their front, every
    /// other region's at its registry (one request per connection, as a front serves them).
    /// </summary>
    public static Task<EcrPushResult> PushThroughAsync(LocalEcrStack stack, IReadOnlyDictionary<string, IPEndPoint> fronts, EcrPushSettings settings, CancellationToken cancellationToken = default)
    {
        var endPoints = stack.Regions.ToDictionary(stack.RegistryHost, stack.RegistryEndPoint, StringComparer.OrdinalIgnoreCase);
        return PushAsync(stack, settings, host => fronts.TryGetValue(host, out var front) ? front : endPoints[host], handler => handler.PooledConnectionLifetime = TimeSpan.Zero, cancellationToken);
    }

    private static async Task<EcrPushResult> PushAsync(LocalEcrStack stack, EcrPushSettings settings, Func<string, IPEndPoint> endPointOf, Action<System.Net.Http.SocketsHttpHandler>? more, CancellationToken cancellationToken)
    {
        using var authority = await AuthorityAsync(stack, cancellationToken);
        var pusher = Pusher.Create(new SerilogPushLog(Serilog.Log.Logger), handler =>
        {
            Route(handler, authority, host =>
            {
                Assert.True(host.EndsWith(".amazonaws.com", StringComparison.Ordinal) || stack.RegistryEndPoints.ContainsKey(host), $"{host} is no registry of the stand-in");
                return endPointOf(host);
            });
            more?.Invoke(handler);
        });
        return await pusher.PushAsync(settings, cancellationToken);
    }

    private static async Task<X509Certificate2> AuthorityAsync(LocalEcrStack stack, CancellationToken cancellationToken)
        => X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(stack.StateDirectory, "tls", "ca.crt"), cancellationToken));

    /// <summary>A handler whose connections for a host name go to the stand-in's end point for it, trusting the stack's authority alone; the request keeps the real name.</summary>
    private static void Route(System.Net.Http.SocketsHttpHandler handler, X509Certificate2 authority, Func<string, IPEndPoint> endPointOf)
    {
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
        trust.CustomTrustStore.Add(authority);
        handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = trust };
        handler.ConnectCallback = async (context, ct) =>
        {
            var endPoint = endPointOf(context.DnsEndPoint.Host);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    /// <summary><c>skopeo copy --src-daemon-host … docker-daemon:IMAGE DESTINATION</c>: a layout or archive made by the real tool.</summary>
    public static Task SkopeoFromEngineAsync(LocalEcrStack stack, string image, string destination)
        => RunAsync("skopeo", ["copy", "--quiet", "--src-daemon-host", stack.DockerHost, $"docker-daemon:{image}", destination]);

    /// <summary><c>docker save -o FILE IMAGE</c> through the stack's engine.</summary>
    public static Task DockerSaveAsync(LocalEcrStack stack, string image, string file)
        => RunAsync("docker", ["-H", stack.DockerHost, "save", "-o", file, image]);

    /// <summary>The config digest (the image ID once pulled) of the image a layout names <paramref name="refName"/>.</summary>
    public static async Task<string> LayoutConfigDigestAsync(string layout, string refName)
    {
        var top = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
        var entry = top["manifests"]!.AsArray().Single(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == refName)!;
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", ((string)entry["digest"]!)[7..])))!;
        return (string)manifest["config"]!["digest"]!;
    }

    /// <summary>The stack's dockerd: the process whose command line names the stack's state folder (its socket and roots are there).</summary>
    public static int EnginePid(LocalEcrStack stack)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                try
                {
                    var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                    if (Path.GetFileName(arguments[0]) == "dockerd" && arguments.Any(a => a.Contains(stack.StateDirectory, StringComparison.Ordinal)))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                    // A process that ended meanwhile.
                }
            }
        }

        throw new InvalidOperationException($"No dockerd of the stack at {stack.StateDirectory} is running.");
    }

    public static async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return await output;
    }
}

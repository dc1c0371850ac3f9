using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Debian's tinyproxy on a free 127.0.0.1 port, with its configuration and log in a temporary folder: a real HTTP
/// proxy whose log shows each request line (<c>POST http://…</c>, <c>CONNECT host:443</c>). CONNECT is allowed to
/// port 563 only, so that a tunnel towards a real AWS endpoint is refused by the proxy itself, before it resolves
/// or dials anything: the tests' traffic stays on loopback.
/// </summary>
internal sealed class Tinyproxy : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Executables = ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"];

    private readonly Process _process;
    private readonly string _directory;

    private Tinyproxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
    }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri Url { get; }

    private string LogPath => Path.Combine(_directory, "tinyproxy.log");

    public static async Task<Tinyproxy> StartAsync()
    {
        var executable = Executables.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("tinyproxy is not installed: apt-get install tinyproxy (.ci/run does).");
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("ecrpush-tinyproxy-").FullName;
            var port = FreePort();
            await File.WriteAllTextAsync(Path.Combine(directory, "tinyproxy.conf"), $"""
                Port {port}
                Listen 127.0.0.1
                Timeout 30
                LogFile "{Path.Combine(directory, "tinyproxy.log")}"
                LogLevel Info
                MaxClients 50
                Allow 127.0.0.1
                ConnectPort 563
                DisableViaHeader Yes

                """);
            var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["-d", "-c", Path.Combine(directory, "tinyproxy.conf")])
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var proxy = new Tinyproxy(process, directory, port);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < StartTimeout && !process.HasExited && !proxy.ReadLog().Contains("Starting main loop", StringComparison.Ordinal))
            {
                await Task.Delay(50);
            }

            if (!process.HasExited && proxy.ReadLog().Contains("Starting main loop", StringComparison.Ordinal))
            {
                return proxy;
            }

            var log = proxy.ReadLog();
            await proxy.DisposeAsync();
            if (attempt >= 3 || !log.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"tinyproxy did not start on 127.0.0.1:{port} within {StartTimeout.TotalSeconds:0} s. Its log:\n{log}");
            }
        }
    }

    /// <summary>The request lines the proxy received, e.g. <c>POST http://127.0.0.1:2345/ HTTP/1.1</c>.</summary>
    public IReadOnlyList<string> Requests()
        => [.. ReadLog().Split('\n').Select(line => line.Split("]: Request (file descriptor ", 2)).Where(parts => parts.Length == 2).Select(parts => parts[1][(parts[1].IndexOf(':', StringComparison.Ordinal) + 2)..].Trim())];

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return string.Empty;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        // Below the ephemeral range, so that no outgoing connection takes it between this check and tinyproxy's bind.
        for (var attempt = 0; ; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(20000, 32768);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 50)
            {
                // Taken: try another.
            }
        }
    }
}

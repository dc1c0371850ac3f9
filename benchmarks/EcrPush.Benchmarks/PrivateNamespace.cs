using System.Diagnostics;
using System.Security.Cryptography;

namespace Ecr.Benchmarks;

/// <summary>
/// The harness runs in a mount namespace of its own, where <c>/etc/hosts</c> is a file of its working folder.
/// So every program it starts (its push children, the aws CLI, the docker CLI and the credential helper) finds the
/// ECR API at its real host name, <c>api.ecr.&lt;region&gt;.amazonaws.com</c>, by ordinary name resolution, while the
/// machine's <c>/etc/hosts</c> stays untouched. The harness writes the entries into that file once it knows the
/// addresses (in place, so the bind mount keeps showing it). The working folder is deleted when the run ends.
/// </summary>
internal static class PrivateNamespace
{
    private const string Variable = "ECRPUSH_BENCH_DIR";

    /// <summary>The working folder, inside the namespace; <see langword="null"/> outside it.</summary>
    public static string? Directory => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } directory ? directory : null;

    public static string HostsFile => Path.Combine(Directory!, "hosts");

    /// <summary>Runs this exe again, with the same arguments, under <c>unshare --mount</c>; returns its exit code.</summary>
    public static int ReExec(string[] args, int nice)
    {
        var directory = Path.Combine("/tmp", "ecrpush-bench-" + RandomNumberGenerator.GetHexString(8, lowercase: true));
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var hosts = Path.Combine(directory, "hosts");
            File.WriteAllText(hosts, (File.Exists("/etc/hosts") ? File.ReadAllText("/etc/hosts") : "127.0.0.1 localhost\n") + "\n# EcrPush benchmark\n");

            const string Script = "mount --bind \"$1\" /etc/hosts && shift && exec \"$@\"";
            var startInfo = new ProcessStartInfo(nice == 0 ? "unshare" : "nice") { UseShellExecute = false };
            foreach (var argument in (IEnumerable<string>)[.. nice == 0 ? [] : (string[])["-n", nice.ToString(System.Globalization.CultureInfo.InvariantCulture), "unshare"], "--mount", "--propagation", "private", "sh", "-c", Script, "sh", hosts, Environment.ProcessPath!, .. args])
            {
                startInfo.ArgumentList.Add(argument);
            }

            startInfo.Environment[Variable] = directory;

            // Ctrl+C reaches the inner harness too, which stops the stack; this one waits for that, then cleans up.
            Console.CancelKeyPress += (_, e) => e.Cancel = true;
            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start unshare.");
            process.WaitForExit();
            return process.ExitCode;
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Could not delete {directory}: {exception.Message}");
            }
        }
    }

    /// <summary>Adds lines to the namespace's /etc/hosts, writing the same file (the bind mount follows the inode).</summary>
    public static void AddHosts(IEnumerable<string> lines)
    {
        using var stream = new FileStream(HostsFile, FileMode.Append, FileAccess.Write);
        using var writer = new StreamWriter(stream);
        foreach (var line in lines)
        {
            writer.Write(line + "\n");
        }
    }
}

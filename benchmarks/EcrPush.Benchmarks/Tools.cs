using System.Diagnostics;

namespace Ecr.Benchmarks;

/// <summary>The programs the recipes run, found once; nothing is installed unless --install-tools is given.</summary>
internal sealed record Tools(string Aws, string Docker, string CredentialHelper, string Bash, string MotoServer, string? Skopeo)
{
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>Finds every program; on a miss, prints what to install and returns null (or installs it with --install-tools).</summary>
    public static Tools? Locate(Options options)
    {
        // The aws CLI of the Debian package first: a pyenv shim named aws may run another version (pip's aws-cli 1.x).
        string? Aws() => options.Aws ?? (IsExecutable("/usr/bin/aws") ? "/usr/bin/aws" : Find("aws"));
        string? Helper() => Find("docker-credential-ecr-login");

        var missing = new List<string>();
        if (Aws() is null)
        {
            missing.Add("awscli");
        }

        if (Helper() is null)
        {
            missing.Add("amazon-ecr-credential-helper");
        }

        if (missing.Count > 0)
        {
            if (!options.InstallTools)
            {
                Console.Error.WriteLine(
                    $"The recipes need the Debian package(s) {string.Join(" and ", missing)}, which are not installed. Install them with\n" +
                    $"  apt-get update && apt-get install -y {string.Join(' ', missing)}\n" +
                    "or run again with --install-tools (./build.sh Benchmark --install-tools true) to let the benchmark install them.");
                return null;
            }

            Console.WriteLine($"Installing {string.Join(", ", missing)} with apt-get, as --install-tools asks.");
            if (Run("sh", "-c", $"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {string.Join(' ', missing)}") != 0)
            {
                Console.Error.WriteLine($"apt-get could not install {string.Join(' ', missing)}.");
                return null;
            }
        }

        var docker = IsExecutable("/usr/local/bin/docker") ? "/usr/local/bin/docker" : Find("docker");
        var moto = FindMotoServer();
        if (docker is null || moto is null)
        {
            Console.Error.WriteLine(docker is null ? "No docker CLI on PATH (apt-get install docker.io)." : "No moto_server (pip install \"moto[server]\").");
            return null;
        }

        // skopeo (Debian skopeo, a part of the stand-in) makes the OCI layouts of the engine-free cases and is their
        // contender; without it those cases are left out, with a word.
        var skopeo = Find("skopeo");
        if (skopeo is null && (options.Cases.Contains("engine-free") || options.Cases.Contains("parallelism")))
        {
            Console.Error.WriteLine("No skopeo (apt-get install skopeo): the engine-free cases, which make their OCI layouts with it, are left out.");
        }

        return new Tools(Aws()!, docker, Helper()!, Find("bash") ?? "/bin/bash", moto, skopeo);
    }

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(IsExecutable);

    /// <summary>The first line a program prints for its version, for the report.</summary>
    public static string Version(string program, params string[] args)
    {
        try
        {
            var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in args)
            {
                startInfo.ArgumentList.Add(argument);
            }

            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "?";
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "?";
        }
    }

    private static int Run(string program, params string[] args)
    {
        var startInfo = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in args)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>moto is a pip package of some pyenv Python: the script in a pyenv version, else PATH (a shim last).</summary>
    private static string? FindMotoServer()
    {
        var pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        var versions = Path.Combine(pyenv, "versions");
        var inVersions = System.IO.Directory.Exists(versions)
            ? System.IO.Directory.EnumerateDirectories(versions)
                .OrderByDescending(directory => System.Version.TryParse(Path.GetFileName(directory), out var v) ? v : new Version(0, 0))
                .Select(directory => Path.Combine(directory, "bin", "moto_server"))
                .FirstOrDefault(IsExecutable)
            : null;
        return inVersions ?? Find("moto_server") ?? (IsExecutable(Path.Combine(pyenv, "shims", "moto_server")) ? Path.Combine(pyenv, "shims", "moto_server") : null);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

using Nuke.Common;
using Nuke.Common.Tooling;
using Serilog;

/// <summary>
/// What the local ECR stand-in runs (Test and Demo start it): the Debian packages and moto. Installed here, as root,
/// so that the README's two commands set up a fresh machine; without root the exact command is printed instead.
/// </summary>
partial class Build
{
    // The program each package brings, in the order apt-get is told them.
    static readonly (string Program, string Package)[] DebianParts =
    [
        ("dockerd", "docker.io"),
        ("docker-registry", "docker-registry"),
        ("htpasswd", "apache2-utils"),
        ("unshare", "util-linux"),
        ("tinyproxy", "tinyproxy"),
        ("skopeo", "skopeo"),
    ];

    // dockerd and friends live in sbin, which a non-login PATH may lack.
    static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    static string PyenvRoot =>
        Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");

    Target Prerequisites => _ => _
        .Description("Installs what the local ECR stand-in needs when it is missing (as root; otherwise prints the command)")
        .OnlyWhenStatic(() => OperatingSystem.IsLinux())
        .Executes(() =>
        {
            var packages = DebianParts.Where(part => FindProgram(part.Program) is null).Select(part => part.Package).ToList();
            var moto = FindMotoServer() is null;
            if (packages.Count == 0 && !moto)
            {
                Log.Information("The stand-in's parts are installed: {Programs}, moto_server", string.Join(", ", DebianParts.Select(part => part.Program)));
                return;
            }

            var aptLine = $"apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y {string.Join(' ', packages)}";
            const string PipLine = "pip install \"moto[server]\"";
            if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
            {
                var lines = new List<string>();
                if (packages.Count > 0)
                {
                    lines.Add("as root (sudo):  " + aptLine);
                }

                if (moto)
                {
                    lines.Add(PipLine);
                }

                Assert.Fail(
                    "The local ECR stand-in needs " + string.Join(", ", packages.Concat(moto ? ["moto_server"] : [])) +
                    ", which are missing, and this build runs without root, so it cannot install them. Install them with" +
                    Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", lines) + Environment.NewLine + "and run the build again.");
            }

            if (packages.Count > 0)
            {
                Log.Information("Installing the missing Debian packages {Packages}: {Command}", string.Join(", ", packages), aptLine);
                Run("apt-get", "update");
                Run("env", "DEBIAN_FRONTEND=noninteractive apt-get install -y " + string.Join(' ', packages));
            }

            if (moto)
            {
                var pip = FindProgram("pip") ?? FindProgram("pip3") ?? Path.Combine(PyenvRoot, "shims", "pip");
                Log.Information("Installing moto_server, the ECR API stand-in: {Command}", PipLine);
                Run(pip, "install \"moto[server]\"");
                Assert.True(FindMotoServer() is not null, $"{PipLine} ran, but moto_server is still not on PATH or in {PyenvRoot}.");
            }

            var stillMissing = DebianParts.Where(part => FindProgram(part.Program) is null).Select(part => part.Program).ToList();
            Assert.True(stillMissing.Count == 0, $"apt-get ran, but these are still missing: {string.Join(", ", stillMissing)}.");
        });

    static void Run(string program, string arguments) =>
        ProcessTasks.StartProcess(program, arguments, logInvocation: true).AssertZeroExitCode();

    static string? FindProgram(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(IsExecutable);

    // moto is a pip package of some pyenv Python on these machines; the stand-in looks in the same places.
    static string? FindMotoServer()
    {
        var versions = Path.Combine(PyenvRoot, "versions");
        var candidates = (Directory.Exists(versions) ? Directory.EnumerateDirectories(versions) : [])
            .Select(directory => Path.Combine(directory, "bin", "moto_server"))
            .Append(Path.Combine(PyenvRoot, "shims", "moto_server"));
        return FindProgram("moto_server") ?? candidates.FirstOrDefault(IsExecutable);
    }

    static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

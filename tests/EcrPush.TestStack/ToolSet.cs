namespace Ecr.TestStack;

/// <summary>The absolute paths of the programs the stack runs, found once before anything starts.</summary>
internal sealed record ToolSet(
    string Dockerd,
    string DockerRegistry,
    string Htpasswd,
    string MotoServer,
    string Unshare,
    string Setsid,
    string Mount,
    string Umount,
    string Shell)
{
    // dockerd and friends live in sbin, which a non-login PATH may lack.
    private static readonly string[] SystemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The directories searched for programs: PATH first, then the usual system directories.</summary>
    public static IReadOnlyList<string> SearchPath { get; } =
        [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SystemDirectories)
            .Distinct(StringComparer.Ordinal)];

    /// <summary>Finds every program, or throws one exception that lists all that are missing and how to install them.</summary>
    public static ToolSet Locate()
    {
        var missing = new List<string>();

        string Require(string name, string fix)
        {
            var path = Find(name);
            if (path is null)
            {
                missing.Add($"{name} not found: {fix}");
            }

            return path ?? name;
        }

        var dockerd = Require("dockerd", "apt-get install docker.io");
        var registry = Require("docker-registry", "apt-get install docker-registry");
        var htpasswd = Require("htpasswd", "apt-get install apache2-utils");
        var moto = FindMotoServer();
        if (moto is null)
        {
            missing.Add(
                "moto_server not found on PATH, in ~/.pyenv/versions/*/bin or in ~/.pyenv/shims: " +
                "pip install \"moto[server]\"");
        }

        var unshare = Require("unshare", "apt-get install util-linux");
        var setsid = Require("setsid", "apt-get install util-linux");
        var mount = Require("mount", "apt-get install mount");
        var umount = Require("umount", "apt-get install mount");
        var shell = Require("sh", "apt-get install dash");

        // dockerd starts these itself from its PATH; check now so that the failure names them.
        Require("containerd", "apt-get install containerd (a dependency of docker.io)");
        Require("runc", "apt-get install runc (a dependency of docker.io)");

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                "LocalEcrStack cannot start; these parts are missing:" + Environment.NewLine + "  " +
                string.Join(Environment.NewLine + "  ", missing));
        }

        return new ToolSet(dockerd, registry, htpasswd, moto!, unshare, setsid, mount, umount, shell);
    }

    /// <summary>The first executable file called <paramref name="name"/> in <see cref="SearchPath"/>.</summary>
    public static string? Find(string name) =>
        SearchPath.Select(directory => Path.Combine(directory, name)).FirstOrDefault(IsExecutable);

    /// <summary>
    /// moto is a pip package, usually installed for one pyenv Python. A pyenv shim on PATH runs whichever Python
    /// the caller's directory or PYENV_VERSION selects, which may lack moto, so the real script in a pyenv version
    /// is preferred over a shim; the shim is the last resort.
    /// </summary>
    private static string? FindMotoServer()
    {
        const string Name = "moto_server";
        var pyenvRoot = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        var shims = Path.Combine(pyenvRoot, "shims");

        var onPath = SearchPath
            .Where(directory => !string.Equals(Path.TrimEndingDirectorySeparator(directory), shims, StringComparison.Ordinal))
            .Select(directory => Path.Combine(directory, Name));

        var versionsDirectory = Path.Combine(pyenvRoot, "versions");
        var inPyenvVersions = Directory.Exists(versionsDirectory)
            ? Directory.EnumerateDirectories(versionsDirectory)
                .OrderByDescending(directory => ParseVersion(Path.GetFileName(directory)))
                .Select(directory => Path.Combine(directory, "bin", Name))
            : [];

        return onPath.Concat(inPyenvVersions).Append(Path.Combine(shims, Name)).FirstOrDefault(IsExecutable);
    }

    private static Version ParseVersion(string text) =>
        Version.TryParse(text, out var version) ? version : new Version(0, 0);

    private static bool IsExecutable(string path) =>
        File.Exists(path) &&
        !OperatingSystem.IsWindows() && // The stack refuses to start on anything but Linux before it looks for programs.
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Ecr.Benchmarks;

/// <summary>
/// The case the benchmark could not measure before: pushes inside a real Nuke build's target, in a build process that
/// has already run its earlier targets, against the credential-helper recipe spawned from that same build. The harness
/// starts the project's own Nuke build (<c>BenchmarkPushInBuild</c> in build/Build.Benchmark.cs) with this run's
/// environment and these variables, the recipe's script among them, so the build holds no copy of it; the target
/// times the recipe and its two pushes with a Stopwatch and prints one <see cref="Marker"/> line.
/// </summary>
internal static partial class NukeBuildCase
{
    public const string Marker = "ECRPUSH_BENCH_NUKE";

    public const string Target = "BenchmarkPushInBuild";

    /// <summary>The timings the build printed, in seconds.</summary>
    public sealed record Timings(double First, double Second, double Helper);

    /// <summary>
    /// What the target pushes (the source image, the repository, a tag prefix: its two pushes add -1 and -2) and the
    /// recipe it runs with bash, whose SRC and REF are set here too.
    /// </summary>
    public static Dictionary<string, string> Environment(string source, string repository, string tag, string recipe, string registry) =>
        new(StringComparer.Ordinal)
        {
            [Marker + "_SOURCE"] = source,
            [Marker + "_REPOSITORY"] = repository,
            [Marker + "_TAG"] = tag,
            [Marker + "_RECIPE"] = recipe,
            ["SRC"] = source,
            ["REF"] = $"{registry}/{repository}:{tag}-helper",
        };

    /// <summary>
    /// The command line of the build: its assembly, the target, and a root of its own in <paramref name="directory"/>.
    /// The build that runs the benchmark holds its root's .nuke/temp/build.log open, so this one gets a root whose
    /// .nuke is its own and whose other entries (the solution, src/, tests/, ...) are links to the real root's.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string build, string directory)
    {
        var real = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(build))!);
        while (real is not null && !Directory.Exists(Path.Combine(real.FullName, ".nuke")))
        {
            real = real.Parent;
        }

        if (real is null)
        {
            throw new InvalidOperationException($"No .nuke folder above {build}.");
        }

        var root = Path.Combine(directory, "nuke-root");
        if (!Directory.Exists(root))
        {
            Directory.CreateDirectory(Path.Combine(root, ".nuke"));
            File.Copy(Path.Combine(real.FullName, ".nuke", "parameters.json"), Path.Combine(root, ".nuke", "parameters.json"));
            foreach (var entry in real.EnumerateFileSystemInfos().Where(entry => entry.Name is not ".nuke" and not ".git"))
            {
                File.CreateSymbolicLink(Path.Combine(root, entry.Name), entry.FullName);
            }
        }

        return [build, Target, "--root", root, "--no-logo"];
    }

    public static Timings? Parse(string output) =>
        Line().Match(output) is { Success: true } match
            ? new Timings(Seconds(match, "first"), Seconds(match, "second"), Seconds(match, "helper"))
            : null;

    private static double Seconds(Match match, string name) => double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(Marker + @" first=(?<first>[0-9.]+) second=(?<second>[0-9.]+) helper=(?<helper>[0-9.]+)")]
    private static partial Regex Line();
}

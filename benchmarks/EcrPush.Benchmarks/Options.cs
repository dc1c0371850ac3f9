using System.Globalization;

namespace Ecr.Benchmarks;

/// <summary>Command-line options, <c>--name=value</c>.</summary>
internal sealed record Options
{
    public int Runs { get; init; } = 7;

    public int Warmups { get; init; } = 1;

    public int BigRuns { get; init; } = 3;

    public int TraceRuns { get; init; } = 3;

    public IReadOnlySet<string> Cases { get; init; } = new HashSet<string>(["new", "existing", "big", "engine-free", "parallelism"], StringComparer.Ordinal);

    /// <summary>The upload parallelisms (<c>SetUploadParallelism</c>) the <c>parallelism</c> case compares; 3 is the library's default.</summary>
    public IReadOnlyList<int> Parallelisms { get; init; } = [1, 2, 3, 4, 6];

    public string? Aws { get; init; }

    /// <summary>A ReadyToRun build of this exe: measured as a further contender ("EcrPush, R2R").</summary>
    public string? ReadyToRun { get; init; }

    /// <summary>A build of this exe where only EcrPush.dll is ReadyToRun: the main cases measure it beside the JIT build.</summary>
    public string? ReadyToRunLibrary { get; init; }

    /// <summary>Runtime-knob variants of the whole-process push (TieredPGO, TieredCompilation, invariant globalization).</summary>
    public bool Variants { get; init; } = true;

    /// <summary>Run the whole benchmark (stack and recipes included) under <c>nice -n N</c>: -10 keeps a shared machine's other work from skewing it.</summary>
    public int Nice { get; init; }

    /// <summary>Price the building blocks of a push, each alone in a fresh process (see <see cref="Probes"/>).</summary>
    public bool Probes { get; init; } = true;

    public bool InstallTools { get; init; }

    /// <summary>
    /// The project's Nuke build assembly (build/bin/Release/_build.dll): the existing-repository case then also runs a
    /// real Nuke build whose target pushes twice and spawns the credential-helper recipe (see <see cref="NukeBuildCase"/>).
    /// </summary>
    public string? NukeBuild { get; init; }

    /// <summary>Print the stack's start-up log and every failed command's output.</summary>
    public bool Verbose { get; init; }

    public static Options? Parse(string[] args)
    {
        var options = new Options();
        foreach (var arg in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? (arg[2..i], arg[(i + 1)..]) : (arg[2..], "true");
            switch (name)
            {
                case "runs": options = options with { Runs = Positive(value, name) }; break;
                case "warmups": options = options with { Warmups = int.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "big-runs": options = options with { BigRuns = Positive(value, name) }; break;
                case "trace-runs": options = options with { TraceRuns = int.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "cases": options = options with { Cases = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) }; break;
                case "parallelisms": options = options with { Parallelisms = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Positive(v, name)).Distinct().ToList() }; break;
                case "aws": options = options with { Aws = value }; break;
                case "r2r": options = options with { ReadyToRun = value.Length == 0 ? null : value }; break;
                case "r2r-lib": options = options with { ReadyToRunLibrary = value.Length == 0 ? null : value }; break;
                case "variants": options = options with { Variants = bool.Parse(value) }; break;
                case "nice": options = options with { Nice = int.Parse(value, CultureInfo.InvariantCulture) }; break;
                case "probes": options = options with { Probes = bool.Parse(value) }; break;
                case "install-tools": options = options with { InstallTools = bool.Parse(value) }; break;
                case "nuke-build": options = options with { NukeBuild = value.Length == 0 ? null : value }; break;
                case "verbose": options = options with { Verbose = bool.Parse(value) }; break;
                default:
                    Console.Error.WriteLine($"Unknown option --{name}.");
                    return null;
            }
        }

        if (options.ReadyToRun is { } r2r && !File.Exists(r2r))
        {
            Console.Error.WriteLine($"--r2r={r2r}: no such file; the R2R contender is left out.");
            options = options with { ReadyToRun = null };
        }

        if (options.ReadyToRunLibrary is { } lib && !File.Exists(lib))
        {
            Console.Error.WriteLine($"--r2r-lib={lib}: no such file; that contender is left out.");
            options = options with { ReadyToRunLibrary = null };
        }

        if (options.NukeBuild is { } nuke && !File.Exists(nuke))
        {
            Console.Error.WriteLine($"--nuke-build={nuke}: no such file; the Nuke build rows are left out.");
            options = options with { NukeBuild = null };
        }

        return options;
    }

    private static int Positive(string value, string name)
    {
        var number = int.Parse(value, CultureInfo.InvariantCulture);
        return number > 0 ? number : throw new ArgumentException($"--{name} must be at least 1.");
    }
}

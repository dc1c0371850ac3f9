using System.Diagnostics;
using System.Globalization;
using Ecr;
using Nuke.Common;
using Nuke.Common.IO;
using Nuke.Common.Tooling;
using Nuke.Common.Tools.DotNet;
using Nuke.Common.Utilities;
using Serilog;
using static Ecr.EcrTasks;
using static Nuke.Common.Tools.DotNet.DotNetTasks;

/// <summary>
/// Benchmark: EcrPush against the aws-CLI and the credential-helper recipes, and without an engine against skopeo, on the
/// local ECR stand-in (benchmarks/EcrPush.Benchmarks; Linux, root, awscli and amazon-ecr-credential-helper, which it
/// installs only with --install-tools true, and skopeo, which Prerequisites installs).
/// </summary>
partial class Build
{
    [Parameter("Benchmark: measured runs per case (default 7)")]
    readonly int? Runs;

    [Parameter("Benchmark: warm-up runs per case (default 1)")]
    readonly int? Warmups;

    [Parameter("Benchmark: runs of the 100 MiB case (default 3)")]
    readonly int? BigRuns;

    [Parameter("Benchmark: traced runs for the phase breakdown (default 3)")]
    readonly int? TraceRuns;

    [Parameter("Benchmark: the cases, comma-separated (default new,existing,big,engine-free,parallelism)")]
    readonly string? Cases;

    [Parameter("Benchmark: the upload parallelisms the parallelism case compares, comma-separated (default 1,2,3,4,6)")]
    readonly string? Parallelisms;

    [Parameter("Benchmark: measure the runtime-knob variants (default true)")]
    readonly bool? Variants;

    [Parameter("Benchmark: price a push's building blocks alone (default true)")]
    readonly bool? Probes;

    [Parameter("Benchmark: run under nice -n N (default 0); a negative N only as NICE=-10 ./build.sh Benchmark, since Nuke reads -10 as an option")]
    readonly int? Nice;

    [Parameter("Benchmark: install awscli and amazon-ecr-credential-helper with apt-get when missing (default false)")]
    readonly bool? InstallTools;

    [Parameter("Benchmark: the aws CLI to use (default /usr/bin/aws)")]
    readonly string? Aws;

    [Parameter("Benchmark: print the stack's start-up log and failed commands' output")]
    readonly bool? Verbose;

    AbsolutePath BenchmarkProject => RootDirectory / "benchmarks/EcrPush.Benchmarks/EcrPush.Benchmarks.csproj";

    Target Benchmark => _ => _
        .Description("EcrPush against the aws-CLI, credential-helper and skopeo recipes on the local ECR stand-in (Linux, root)")
        .Executes(() =>
        {
            // Nuke takes "-10" in "--nice -10" for an option and leaves Nice unset without a word.
            Assert.True(
                Nice is not null || !Environment.GetCommandLineArgs().Any(argument => argument.StartsWith("--nice", StringComparison.Ordinal)),
                "--nice takes no negative value on Nuke's command line (it reads -10 as an option); set it as NICE=-10 ./build.sh Benchmark ...");
            var output = Artifacts / "benchmarks";
            DotNetBuild(s => s.SetProjectFile(BenchmarkProject).SetConfiguration("Release"));

            // Two ReadyToRun builds of the same program: EcrPush.dll alone (what the package gives a build on linux-x64)
            // and every assembly (what a build published ReadyToRun gets). Without them the benchmark still runs, minus those rows.
            var arguments = new List<string>();
            foreach (var (name, option, libraryOnly) in new[] { ("r2r-lib", "r2r-lib", true), ("r2r-all", "r2r", false) })
            {
                try
                {
                    DotNetPublish(s => s
                        .SetProject(BenchmarkProject)
                        .SetConfiguration("Release")
                        .SetRuntime("linux-x64")
                        .DisableSelfContained()
                        .SetOutput(output / name)
                        .SetProperty("PublishReadyToRun", "true")
                        .SetProperty("ReadyToRunLibraryOnly", libraryOnly ? "true" : "false")
                        .SetProperty("IntermediateOutputPath", $"obj/{name}/"));
                    arguments.Add($"--{option}={output / name / "EcrPush.Benchmarks"}");
                }
                catch (ProcessException exception)
                {
                    Log.Warning("No ReadyToRun build {Name} ({Message}); its rows are left out.", name, exception.Message);
                }
            }

            // This build in Release, for the case of pushes inside a real Nuke build (BenchmarkPushInBuild below).
            DotNetBuild(s => s.SetProjectFile(BuildProjectFile).SetConfiguration("Release"));
            arguments.Add($"--nuke-build={RootDirectory / "build/bin/Release/_build.dll"}");
            arguments.AddRange(BenchmarkOptions());
            Log.Information("Benchmark options: {Options}", string.Join(' ', arguments));

            // The benchmark installs nothing unless --install-tools true: a missing awscli or amazon-ecr-credential-helper is named, with the apt-get line.
            ProcessTasks.StartProcess(
                    RootDirectory / "benchmarks/EcrPush.Benchmarks/bin/Release/net10.0/EcrPush.Benchmarks",
                    string.Join(' ', arguments.Select(argument => argument.DoubleQuoteIfNeeded())),
                    RootDirectory,
                    timeout: null)
                .AssertZeroExitCode();
        });

    // The benchmark's case of a push inside a real Nuke build (benchmarks/EcrPush.Benchmarks/NukeBuildCase.cs) runs this
    // build with these two targets, in its stand-in's environment. The first does what a build does before its push
    // target (a tool call, the solution read, logging), so the push target runs in a process that is well under way.
    Target BenchmarkEarlierTargets => _ => _
        .Unlisted()
        .Executes(() =>
        {
            DotNet("--version");
            Log.Information("{Solution} holds {Count} projects", Solution.Name, Solution.AllProjects.Count);
        });

    // Times the credential-helper recipe spawned from this build, then EcrPush's first and second call in it.
    Target BenchmarkPushInBuild => _ => _
        .Unlisted()
        .DependsOn(BenchmarkEarlierTargets)
        .Executes(async () =>
        {
            static string Variable(string name) =>
                Environment.GetEnvironmentVariable("ECRPUSH_BENCH_NUKE_" + name) is { Length: > 0 } value
                    ? value
                    : throw new InvalidOperationException($"ECRPUSH_BENCH_NUKE_{name} is not set: BenchmarkPushInBuild is run by ./build.sh Benchmark.");
            var (source, repository, tag) = (Variable("SOURCE"), Variable("REPOSITORY"), Variable("TAG"));
            var recipe = TemporaryDirectory / "benchmark-helper-recipe.sh";
            recipe.WriteAllText(Variable("RECIPE"));

            var clock = Stopwatch.StartNew();
            ProcessTasks.StartProcess("bash", recipe.ToString().DoubleQuoteIfNeeded()).AssertZeroExitCode();
            var helper = clock.Elapsed.TotalSeconds;

            // Name and tag apart, which the library takes in every version.
            var colon = source.LastIndexOf(':');
            async Task<double> PushAsync(string pushTag)
            {
                clock.Restart();
                await EcrPushAsync(s => s
                    .SetSourceImageName(source[..colon]).SetSourceImageTag(source[(colon + 1)..])
                    .SetRepositoryName(repository)
                    .SetTargetTags(pushTag));
                return clock.Elapsed.TotalSeconds;
            }

            var first = await PushAsync(tag + "-1");
            var second = await PushAsync(tag + "-2");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ECRPUSH_BENCH_NUKE first={first:0.0000} second={second:0.0000} helper={helper:0.0000}"));
        });

    // The options given to this build, in the benchmark's own --name=value form.
    IEnumerable<string> BenchmarkOptions()
    {
        static string Text(object value) => value is bool flag ? (flag ? "true" : "false") : Convert.ToString(value, CultureInfo.InvariantCulture)!;
        var options = new (string Name, object? Value)[]
        {
            ("runs", Runs), ("warmups", Warmups), ("big-runs", BigRuns), ("trace-runs", TraceRuns), ("cases", Cases), ("parallelisms", Parallelisms),
            ("variants", Variants), ("probes", Probes), ("nice", Nice), ("install-tools", InstallTools), ("aws", Aws),
            ("verbose", Verbose),
        };
        return options.Where(option => option.Value is not null).Select(option => $"--{option.Name}={Text(option.Value!)}");
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Ecr.TestStack;

namespace Ecr.Benchmarks;

/// <summary>
/// Starts the local ECR stand-in and a TLS ECR API at the real host name, then runs the cases: every contender on
/// the same image, engine, registry and API, in rotating order, after warm-up runs that are not counted.
/// </summary>
internal static partial class Harness
{
    private const string Region = "us-east-1";
    private const string SmallImage = "bench-small:1";
    private const int SmallLayers = 5;
    private const int SmallLayerBytes = 1024 * 1024;
    private const int BigLayers = 10;
    private const int BigLayerBytes = 10 * 1024 * 1024;

    private const string AwsRecipe = """
        set -euo pipefail
        if [ "${CREATE:-0}" = 1 ]; then "$AWS_BIN" ecr create-repository --repository-name "$REPO"; fi
        "$AWS_BIN" ecr get-login-password | "$DOCKER_BIN" login --username AWS --password-stdin "$HOST"
        "$DOCKER_BIN" tag "$SRC" "$REF"
        "$DOCKER_BIN" push "$REF"
        "$DOCKER_BIN" rmi "$REF"
        """;

    private const string HelperRecipe = """
        set -euo pipefail
        "$DOCKER_BIN" tag "$SRC" "$REF"
        "$DOCKER_BIN" push "$REF"
        "$DOCKER_BIN" rmi "$REF"
        """;

    public static int Execute(string[] args)
    {
        if (Options.Parse(args) is not { } options)
        {
            return 2;
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("The benchmark runs on Linux as root: the local ECR stand-in starts its own dockerd, and the harness a private mount namespace.");
            return 2;
        }

        if (Tools.Locate(options) is not { } tools)
        {
            return 3;
        }

        if (PrivateNamespace.Directory is null)
        {
            return PrivateNamespace.ReExec(args, options.Nice);
        }

        try
        {
            return new Run(options, tools).ExecuteAsync().GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"The benchmark failed: {exception}");
            return 1;
        }
    }

    /// <summary>One contender's measurement in one run; some give several rows (first and second call of one process).</summary>
    private sealed record Contender(string Key, Func<int, Task<IReadOnlyList<(string Row, Sample Sample)>>> RunAsync, Func<int, Task>? Before = null, Func<int, Task>? After = null);

    private sealed partial class Run(Options options, Tools tools)
    {
        private readonly string _directory = PrivateNamespace.Directory!;
        private readonly List<string> _goals = [];
        private readonly StringBuilder _summary = new();
        private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
        private LocalEcrStack _stack = null!;
        private string _host = null!;
        private string _floorConfig = null!;
        private double _maxLoad;

        private static readonly Dictionary<string, string> Lite = new(StringComparer.Ordinal) { ["ECRPUSH_BENCH_LITE"] = "1" };

        private string Exe => Environment.ProcessPath!;

        public async Task<int> ExecuteAsync()
        {
            PrintMachine();
            if (options.Nice != 0)
            {
                Console.WriteLine($"  Running under nice -n {options.Nice} (--nice): the stack, the recipes and EcrPush alike.");
            }

            await using var stack = _stack = await LocalEcrStack.StartAsync(new LocalEcrStackOptions { Regions = [Region], Log = options.Verbose ? Console.Out : null });
            await using var api = await TlsEcrApi.StartAsync(_directory, [Region], tools.MotoServer);
            _host = stack.RegistryHost(Region);
            PrepareEnvironment(api);
            await CheckDockerCliAsync();
            Console.WriteLine($"Stack: dockerd at {stack.DockerHost}, registry https://{_host}, ECR API https://{TlsEcrApi.HostOf(Region)} (moto_server with TLS at {api.Address}:443; {api.TokenNote}); every program resolves these names through this run's /etc/hosts and trusts its CA.");

            await stack.BuildImageAsync(SmallImage, SmallLayers, SmallLayerBytes);
            var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + LocalEcrStack.RegistryPassword));
            _floorConfig = WriteDockerConfig("floor", "{\"auths\":{\"" + _host + "\":{\"auth\":\"" + auth + "\"}}}");

            var cases = new List<(string Key, Func<Task<IReadOnlyList<Row>>> Body)>
            {
                ("new", NewRepositoryAsync),
                ("existing", ExistingRepositoryAsync),
                ("big", BigImageAsync),
            };
            var results = new Dictionary<string, IReadOnlyList<Row>>(StringComparer.Ordinal);
            foreach (var (key, body) in cases.Where(c => options.Cases.Contains(c.Key)))
            {
                results[key] = await body();
            }

            if (options.TraceRuns > 0 && (options.Cases.Contains("new") || options.Cases.Contains("existing")))
            {
                await TraceAsync(results);
            }

            if (options.Probes)
            {
                await ProbesAsync();
            }

            if (options.Variants)
            {
                await VariantsAsync();
            }

            Summarize(results);
            return 0;
        }

        // ---------------------------------------------------------------- cases

        private async Task<IReadOnlyList<Row>> NewRepositoryAsync()
        {
            var title = $"Case 1: new repository, {SmallLayers} × {SmallLayerBytes >> 20} MiB image ({SmallLayers * SmallLayerBytes >> 20} MiB), create + login + tag + push + untag";
            var names = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["aws"] = "aws-CLI recipe: create-repository, get-login-password | docker login, tag, push, rmi",
                ["ours-whole"] = "EcrPush, IL (lib/), whole process (auto-create)",
                ["ours-first"] = "EcrPush, IL (lib/), first call in a running process",
            };
            var contenders = new List<Contender>
            {
                new("aws", run => AwsRecipeAsync("aws", SmallImage, $"bench/new-aws-{Id(run)}", "1", create: true)),
                new("ours-whole", run => OursWholeAsync("ours-whole", Exe, SmallImage, $"bench/new-ours-{Id(run)}", "1", create: true)),
                new("ours-first", run => OursServeAsync(Exe, "ours", SmallImage, $"bench/new-first-{Id(run)}", create: true, calls: 1)),
            };
            if (options.ReadyToRunLibrary is { } r2r)
            {
                names["r2r-whole"] = "EcrPush, linux-x64 package (ReadyToRun), whole process (auto-create)";
                names["r2r-first"] = "EcrPush, linux-x64 package (ReadyToRun), first call in a running process";
                contenders.Add(new("r2r-whole", run => OursWholeAsync("r2r-whole", r2r, SmallImage, $"bench/new-r2r-{Id(run)}", "1", create: true)));
                contenders.Add(new("r2r-first", run => OursServeAsync(r2r, "r2r", SmallImage, $"bench/new-r2rfirst-{Id(run)}", create: true, calls: 1)));
            }

            if (options.Lite)
            {
                names["lite-whole"] = "measuring stick: lean .NET push, whole process";
                names["lite-first"] = "measuring stick: lean .NET push, first call in a running process";
                contenders.Add(new("lite-whole", run => OursWholeAsync("lite-whole", Exe, SmallImage, $"bench/new-lite-{Id(run)}", "1", create: true, Lite)));
                contenders.Add(new("lite-first", run => OursServeAsync(Exe, "lite", SmallImage, $"bench/new-litefirst-{Id(run)}", create: true, calls: 1, extra: Lite)));
            }

            var rows = await RunCaseAsync(title, names, contenders, options.Runs);
            PrintTable(rows, ["aws"], "aws");
            Goal(rows, "ours-whole", "aws", 0.35, 0.25, "1. (IL, the package on other platforms) new repository, whole process vs aws-CLI recipe");
            Goal(rows, "r2r-whole", "aws", 0.35, 0.25, "1. (linux-x64 package, ReadyToRun) new repository, whole process vs aws-CLI recipe");
            PrintPhases("EcrPush IL, whole process (new repository)", rows, "ours-whole", wholeProcess: true);
            PrintPhases("EcrPush IL, first call in a running process (new repository)", rows, "ours-first", wholeProcess: false);
            PrintPhases("EcrPush linux-x64 package (ReadyToRun), whole process (new repository)", rows, "r2r-whole", wholeProcess: true);
            PrintPhases("measuring stick: lean .NET push, whole process (new repository)", rows, "lite-whole", wholeProcess: true);
            return rows;
        }

        private async Task<IReadOnlyList<Row>> ExistingRepositoryAsync()
        {
            const string Repository = "bench/existing";
            var seed = await OursWholeAsync("seed", Exe, SmallImage, Repository, "seed", create: true);
            _ = seed;
            await DockerAsync(_floorConfig, "tag", SmallImage, $"{_host}/{Repository}:floor");

            var title = $"Case 2: existing repository (it holds the layers), new tag, {SmallLayers * SmallLayerBytes >> 20} MiB image";
            var names = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["helper"] = "credential-helper recipe: tag, push, rmi (ecr-login, its token cache on)",
                ["helper-nocache"] = "credential-helper recipe, AWS_ECR_DISABLE_CACHE=true",
                ["aws"] = "aws-CLI recipe: get-login-password | docker login, tag, push, rmi",
                ["floor"] = "floor: docker push alone (tagged and logged in before)",
                ["ours-first"] = "EcrPush, IL (lib/), first call in a running process",
                ["ours-second"] = "EcrPush, IL (lib/), second call in that process",
                ["ours-whole"] = "EcrPush, IL (lib/), whole process",
            };
            var contenders = new List<Contender>
            {
                new("helper", run => HelperRecipeAsync("helper", SmallImage, Repository, $"helper-{Id(run)}", cache: true)),
                new("helper-nocache", run => HelperRecipeAsync("helper-nocache", SmallImage, Repository, $"nocache-{Id(run)}", cache: false)),
                new("aws", run => AwsRecipeAsync("aws", SmallImage, Repository, $"aws-{Id(run)}", create: false)),
                new("floor", _ => FloorAsync($"{_host}/{Repository}:floor")),
                new("ours-serve", run => OursServeAsync(Exe, "ours", SmallImage, Repository, create: false, calls: 2, tagPrefix: $"ours-{Id(run)}")),
                new("ours-whole", run => OursWholeAsync("ours-whole", Exe, SmallImage, Repository, $"whole-{Id(run)}", create: false)),
            };
            if (options.ReadyToRunLibrary is { } r2r)
            {
                names["r2r-first"] = "EcrPush, linux-x64 package (ReadyToRun), first call in a running process";
                names["r2r-second"] = "EcrPush, linux-x64 package (ReadyToRun), second call in that process";
                names["r2r-whole"] = "EcrPush, linux-x64 package (ReadyToRun), whole process";
                contenders.Add(new("r2r-serve", run => OursServeAsync(r2r, "r2r", SmallImage, Repository, create: false, calls: 2, tagPrefix: $"r2r-{Id(run)}")));
                contenders.Add(new("r2r-whole", run => OursWholeAsync("r2r-whole", r2r, SmallImage, Repository, $"r2rwhole-{Id(run)}", create: false)));
            }

            if (options.NukeBuild is { } nukeBuild)
            {
                names["nuke-first"] = "EcrPush in a real Nuke build's target (earlier targets run), first push";
                names["nuke-second"] = "EcrPush in that Nuke build's target, second push";
                names["nuke-helper"] = "credential-helper recipe spawned from that Nuke build";
                contenders.Add(new("nuke", run => NukeBuildAsync(nukeBuild, SmallImage, Repository, $"nuke-{Id(run)}")));
            }

            if (options.Lite)
            {
                names["lite-first"] = "measuring stick: lean .NET push, first call in a running process";
                names["lite-second"] = "measuring stick: lean .NET push, second call in that process";
                contenders.Add(new("lite-serve", run => OursServeAsync(Exe, "lite", SmallImage, Repository, create: false, calls: 2, tagPrefix: $"lite-{Id(run)}", extra: Lite)));
            }

            var rows = await RunCaseAsync(title, names, contenders, options.Runs);
            PrintTable(rows, ["helper", "aws", "nuke-helper"], "helper");
            Goal(rows, "nuke-first", "nuke-helper", 1.5, 1.0, "2a. (Nuke) existing repository, first push in a real Nuke build's target vs credential-helper recipe spawned from that build");
            Goal(rows, "nuke-second", "nuke-helper", 0.5, 0.5, "2b. (Nuke) existing repository, second push in that target vs credential-helper recipe spawned from that build");
            Goal(rows, "ours-first", "helper", 1.5, 1.0, "2a. (IL, the package on other platforms) existing repository, first call in a running process vs credential-helper recipe");
            Goal(rows, "ours-second", "helper", 0.5, 0.5, "2b. (IL, the package on other platforms) existing repository, second call vs credential-helper recipe");
            Goal(rows, "r2r-first", "helper", 1.5, 1.0, "2a. (linux-x64 package, ReadyToRun) existing repository, first call in a running process vs credential-helper recipe");
            Goal(rows, "r2r-second", "helper", 0.5, 0.5, "2b. (linux-x64 package, ReadyToRun) existing repository, second call vs credential-helper recipe");
            PrintPhases("EcrPush IL, first call in a running process (existing repository)", rows, "ours-first", wholeProcess: false);
            PrintPhases("EcrPush IL, second call in that process", rows, "ours-second", wholeProcess: false);
            PrintPhases("EcrPush IL, whole process (existing repository)", rows, "ours-whole", wholeProcess: true);
            PrintPhases("EcrPush linux-x64 package (ReadyToRun), first call in a running process (existing repository)", rows, "r2r-first", wholeProcess: false);
            PrintPhases("measuring stick: lean .NET push, first call in a running process (existing repository)", rows, "lite-first", wholeProcess: false);
            return rows;
        }

        private async Task<IReadOnlyList<Row>> BigImageAsync()
        {
            var title = $"Case 3: {BigLayers} layers × {BigLayerBytes >> 20} MiB ({BigLayers * BigLayerBytes >> 20} MiB) into an empty registry: a new image (fresh random layers) and a new repository for every push";
            var names = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["aws"] = "aws-CLI recipe: create-repository, login, tag, push, rmi",
                ["ours-whole"] = "EcrPush, IL (lib/), whole process (auto-create)",
                ["floor"] = "floor: docker push alone (tagged and logged in before)",
            };
            string Source(string key, int run) => $"bench-big:{key}-{Id(run)}";
            string FloorRef(int run) => $"{_host}/bench/big-floor-{Id(run)}:1";
            var contenders = new List<Contender>
            {
                new("aws", run => AwsRecipeAsync("aws", Source("aws", run), $"bench/big-aws-{Id(run)}", "1", create: true),
                    run => BuildBigAsync(Source("aws", run)), run => RemoveAsync(Source("aws", run))),
                new("ours-whole", run => OursWholeAsync("ours-whole", Exe, Source("ours", run), $"bench/big-ours-{Id(run)}", "1", create: true),
                    run => BuildBigAsync(Source("ours", run)), run => RemoveAsync(Source("ours", run))),
                new("floor", run => FloorAsync(FloorRef(run)),
                    async run =>
                    {
                        await BuildBigAsync(Source("floor", run));
                        await DockerAsync(_floorConfig, "tag", Source("floor", run), FloorRef(run));
                    },
                    run => RemoveAsync(FloorRef(run), Source("floor", run))),
            };

            var rows = await RunCaseAsync(title, names, contenders, options.BigRuns);
            PrintTable(rows, ["aws"], "aws");
            Goal(rows, "ours-whole", "aws", 1.05, 1.05, "3. 100 MiB into an empty registry vs aws-CLI recipe");
            PrintPhases("EcrPush, whole process (100 MiB, new repository)", rows, "ours-whole", wholeProcess: true);
            return rows;
        }

        private async Task<IReadOnlyList<Row>> RunCaseAsync(string title, IReadOnlyDictionary<string, string> names, IReadOnlyList<Contender> contenders, int runs)
        {
            Console.WriteLine();
            Console.WriteLine(title);
            var loadBefore = LoadAverage();
            Console.Write($"  {options.Warmups} warm-up + {runs} counted runs, order rotating each run: ");
            var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
            foreach (var (key, name) in names)
            {
                rows[key] = new Row(key, name);
            }

            for (var run = -options.Warmups; run < runs; run++)
            {
                var shift = ((run % contenders.Count) + contenders.Count) % contenders.Count;
                foreach (var contender in contenders.Skip(shift).Concat(contenders.Take(shift)))
                {
                    if (contender.Before is { } before)
                    {
                        await before(run);
                    }

                    var samples = await contender.RunAsync(run);
                    if (contender.After is { } after)
                    {
                        await after(run);
                    }

                    if (run >= 0)
                    {
                        foreach (var (row, sample) in samples)
                        {
                            rows[row].Samples.Add(sample);
                        }
                    }
                }

                Console.Write(run < 0 ? "w" : ".");
            }

            var loadAfter = LoadAverage();
            Console.WriteLine($" (load average {loadBefore} before, {loadAfter} after{(Math.Max(double.Parse(loadBefore, CultureInfo.InvariantCulture), double.Parse(loadAfter, CultureInfo.InvariantCulture)) > Environment.ProcessorCount ? ": other work was running, figures are noisy" : string.Empty)})");
            _maxLoad = Math.Max(_maxLoad, Math.Max(double.Parse(loadBefore, CultureInfo.InvariantCulture), double.Parse(loadAfter, CultureInfo.InvariantCulture)));
            return [.. rows.Values.Where(r => r.Samples.Count > 0)];
        }

        // ---------------------------------------------------------------- contenders

        private async Task<IReadOnlyList<(string, Sample)>> AwsRecipeAsync(string key, string source, string repository, string tag, bool create)
        {
            var config = WriteDockerConfig("aws", "{}");
            var result = await Exec.RunAsync(tools.Bash, ["-c", AwsRecipe], With(new()
            {
                ["DOCKER_CONFIG"] = config,
                ["AWS_BIN"] = tools.Aws,
                ["DOCKER_BIN"] = tools.Docker,
                ["HOST"] = _host,
                ["REPO"] = repository,
                ["SRC"] = source,
                ["REF"] = $"{_host}/{repository}:{tag}",
                ["CREATE"] = create ? "1" : "0",
            }));
            Check(result, "the aws-CLI recipe");
            return [(key, new Sample(result.Seconds))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> HelperRecipeAsync(string key, string source, string repository, string tag, bool cache)
        {
            var config = WriteDockerConfig(key, "{\"credHelpers\":{\"" + _host + "\":\"ecr-login\"}}");
            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["DOCKER_CONFIG"] = config,
                ["DOCKER_BIN"] = tools.Docker,
                ["SRC"] = source,
                ["REF"] = $"{_host}/{repository}:{tag}",
                ["AWS_ECR_CACHE_DIR"] = Path.Combine(_directory, "ecr-helper-cache-" + key),
            };
            if (!cache)
            {
                variables["AWS_ECR_DISABLE_CACHE"] = "true";
            }

            var result = await Exec.RunAsync(tools.Bash, ["-c", HelperRecipe], With(variables));
            Check(result, "the credential-helper recipe");
            return [(key, new Sample(result.Seconds))];
        }

        /// <summary>
        /// A real Nuke build (the project's own, <c>dotnet _build.dll BenchmarkPushInBuild</c>) with this run's
        /// environment; it times its pushes and the recipe itself (<see cref="NukeBuildCase"/>).
        /// </summary>
        private async Task<IReadOnlyList<(string, Sample)>> NukeBuildAsync(string build, string source, string repository, string tag)
        {
            var variables = NukeBuildCase.Environment(source, repository, tag, HelperRecipe, _host);
            variables["DOCKER_CONFIG"] = WriteDockerConfig("nuke-helper", "{\"credHelpers\":{\"" + _host + "\":\"ecr-login\"}}");
            variables["DOCKER_BIN"] = tools.Docker;
            variables["AWS_ECR_CACHE_DIR"] = Path.Combine(_directory, "ecr-helper-cache-nuke");
            var result = await Exec.RunAsync(Tools.Find("dotnet") ?? "dotnet", NukeBuildCase.Arguments(build, _directory), With(variables));
            var timings = NukeBuildCase.Parse(result.Output);
            if (result.ExitCode != 0 || timings is null)
            {
                throw new InvalidOperationException($"The Nuke build {build} failed: {result.Describe()}");
            }

            return [("nuke-first", new Sample(timings.First)), ("nuke-second", new Sample(timings.Second)), ("nuke-helper", new Sample(timings.Helper))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> FloorAsync(string reference)
        {
            var result = await Exec.RunAsync(tools.Docker, ["push", reference], With(new() { ["DOCKER_CONFIG"] = _floorConfig }));
            Check(result, "docker push");
            return [("floor", new Sample(result.Seconds))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> OursWholeAsync(string key, string exe, string source, string repository, string tag, bool create, IReadOnlyDictionary<string, string>? extra = null)
        {
            string[] args = ["push-once", source, repository, tag, .. create ? (string[])["create"] : []];
            var result = await Exec.RunAsync(exe, args, With(extra is null ? [] : new Dictionary<string, string>(extra)));
            var report = ChildReport.Parse(result.Output);
            if (result.ExitCode != 0 || report is null || report.Error is not null)
            {
                throw new InvalidOperationException($"EcrPush push-once {string.Join(' ', args)} failed: {report?.Error ?? result.Describe()}");
            }

            return [(key, new Sample(result.Seconds, report.PeakKb, report, result.Seconds))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> OursServeAsync(string exe, string prefix, string source, string repository, bool create, int calls, string? tagPrefix = null, IReadOnlyDictionary<string, string>? extra = null)
        {
            var samples = new List<(string, Sample)>();
            await using var child = await ServeChild.StartAsync(exe, With(extra is null ? [] : new Dictionary<string, string>(extra)));
            for (var call = 1; call <= calls; call++)
            {
                var (report, output) = await child.PushAsync(source, repository, tagPrefix is null ? call.ToString(CultureInfo.InvariantCulture) : $"{tagPrefix}-{call}", create);
                if (report.Error is not null)
                {
                    throw new InvalidOperationException($"EcrPush (serve) failed: {report.Error}\n{output}");
                }

                samples.Add(($"{prefix}-{(call == 1 ? "first" : "second")}", new Sample(report.CallSeconds, report.PeakKb, report)));
            }

            return samples;
        }

        // ---------------------------------------------------------------- trace and variants

        private async Task TraceAsync(IReadOnlyDictionary<string, IReadOnlyList<Row>> results)
        {
            Console.WriteLine();
            Console.WriteLine($"Where our time goes, traced (ECRPUSH_BENCH_TRACE=1: HTTP, TLS and JIT events; tracing slows the process, so these runs are not counted above). {options.TraceRuns} runs each:");
            var trace = new Dictionary<string, string>(StringComparer.Ordinal) { ["ECRPUSH_BENCH_TRACE"] = "1" };
            if (Environment.GetEnvironmentVariable("ECRPUSH_BENCH_JIT_LIST") is { } jitList)
            {
                trace["ECRPUSH_BENCH_JIT_LIST"] = jitList;
            }

            var whole = new List<ChildReport>();
            var first = new List<ChildReport>();
            var second = new List<ChildReport>();
            for (var run = 0; run < options.TraceRuns; run++)
            {
                var w = await OursWholeAsync("trace", Exe, SmallImage, $"bench/trace-new-{run}", "1", create: true, trace);
                whole.Add(w[0].Item2.Report!);
                var s = await OursServeAsync(Exe, "trace", SmallImage, $"bench/trace-serve-{run}", create: true, calls: 2, extra: trace);
                first.Add(s[0].Item2.Report!);
                second.Add(s[1].Item2.Report!);
            }

            PrintTrace("whole process, new repository (traced)", whole);
            PrintTrace("first call in a running process, new repository (traced)", first);
            PrintTrace("second call in that process, new repository (traced)", second);
        }

        private void PrintTrace(string title, List<ChildReport> reports)
        {
            var median = reports.OrderBy(r => r.CallSeconds).ElementAt(reports.Count / 2);
            Console.WriteLine();
            Console.WriteLine($"  {title}: call {Stats.S(median.CallSeconds)} s (median run), JIT {median.JitMethods} methods / {median.JitMs:0} ms (JitInfo), {median.Assemblies} assemblies loaded during the call, {median.AllocatedKb / 1024.0:0.0} MB allocated");
            Console.WriteLine("    JIT by namespace (median of runs; traced JIT is slower than untraced):");
            var groups = reports.SelectMany(r => r.Jit).GroupBy(j => j.Group)
                .Select(g => (Group: g.Key, Count: Stats.Median(g.Select(x => (double)x.Count)), Ms: Stats.Median(g.Select(x => x.Ms))))
                .OrderByDescending(g => g.Ms).Take(12).ToList();
            Console.Write(Stats.Table(["namespace", "methods", "ms"], groups.Select(g => (IReadOnlyList<string>)[g.Group, Stats.Ms(g.Count), Stats.Ms(g.Ms)])).Replace("\n  ", "\n      ", StringComparison.Ordinal).Insert(0, "    "));
            Console.WriteLine("    Timeline of the median run (ms since the call started; SPAN = start, duration, what):");
            var lines = median.Events.Select(e => (e.Ms, Text: "log   " + e.Text))
                .Concat(median.Spans.Select(s => s.Split('\t')).Where(p => p.Length >= 3).Select(p => (Ms: double.Parse(p[0], CultureInfo.InvariantCulture), Text: $"span  {p[2]}  [{p[1]} ms]")))
                .OrderBy(l => l.Ms);
            foreach (var (ms, text) in lines)
            {
                Console.WriteLine($"      {ms,7:0.0}  {(text.Length > 150 ? text[..150] + "…" : text)}");
            }
        }

        private async Task VariantsAsync()
        {
            var variants = new List<(string Name, string Exe, Dictionary<string, string> Environment)>
            {
                ("defaults (tiered JIT, TieredPGO on)", Exe, []),
                ("DOTNET_TieredPGO=0", Exe, new() { ["DOTNET_TieredPGO"] = "0" }),
                ("DOTNET_TC_QuickJitForLoops=0", Exe, new() { ["DOTNET_TC_QuickJitForLoops"] = "0" }),
                ("DOTNET_TieredCompilation=0", Exe, new() { ["DOTNET_TieredCompilation"] = "0" }),
                ("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", Exe, new() { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" }),
                ("DOTNET_ReadyToRun=0 (framework JIT-compiled too)", Exe, new() { ["DOTNET_ReadyToRun"] = "0" }),
            };
            if (options.ReadyToRunLibrary is { } lib)
            {
                variants.Add(("ReadyToRun: EcrPush.dll only", lib, []));
            }

            if (options.ReadyToRun is { } r2r)
            {
                variants.Add(("ReadyToRun: every assembly of the program", r2r, []));
                variants.Add(("ReadyToRun: every assembly + DOTNET_TieredPGO=0", r2r, new() { ["DOTNET_TieredPGO"] = "0" }));
            }

            var names = variants.Select((v, i) => (Key: $"v{i}", v.Name)).ToDictionary(v => v.Key, v => v.Name, StringComparer.Ordinal);
            var contenders = variants.Select((v, i) => new Contender($"v{i}", run => OursWholeAsync($"v{i}", v.Exe, SmallImage, $"bench/variant-{i}-{Id(run)}", "1", create: true, v.Environment))).ToList();
            var rows = await RunCaseAsync("Start-up variants: EcrPush whole process, new repository (runtime knobs as environment variables)", names, contenders, Math.Min(options.Runs, 5));
            PrintTable(rows, ["v0"], "v0");
        }

        private async Task ProbesAsync()
        {
            var caOnly = Path.Combine(_directory, "ecr-api-tls", "ca-only.pem");
            var probes = new List<(string Key, string Name, string[] Args, Dictionary<string, string>? Environment)>
            {
                ("nothing", "an empty probe: runtime start-up and exit only", ["nothing"], null),
                ("docker-dotnet", "inspect the image: Docker.DotNet (source-generated System.Text.Json), as the library does", ["docker-dotnet", SmallImage], null),
                ("docker-raw", "inspect the image: HttpClient on the unix socket + source-generated System.Text.Json", ["docker-raw", SmallImage], null),
                ("aws-chain", "credentials: the AWS SDK's default chain (keys in the environment)", ["aws-chain"], null),
                ("aws-env", "credentials: BasicAWSCredentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY", ["aws-env"], null),
                ("aws-config", "AWSSDK.Core: construct the ClientConfig that AWS4Signer needs, nothing else", ["aws-config"], null),
                ("aws-sign", "AWSSDK.Core: that ClientConfig + one SigV4 signature with AWS4Signer", ["aws-sign"], null),
                ("https", "first request of a process to https://api.ecr… (TLS, system roots + this run's CA)", ["https", $"https://{TlsEcrApi.HostOf(Region)}/moto-api/"], null),
                ("https-1ca", "the same, trusting only this run's CA (SSL_CERT_FILE of 1 certificate, no SSL_CERT_DIR)", ["https", $"https://{TlsEcrApi.HostOf(Region)}/moto-api/"], new() { ["SSL_CERT_FILE"] = caOnly, ["SSL_CERT_DIR"] = Path.Combine(_directory, "no-such-dir") }),
                ("http", "first request of a process to the stack's moto over plain HTTP", ["http", new Uri(_stack.EcrEndpoint, "/moto-api/").ToString()], null),
            };
            var names = probes.ToDictionary(p => p.Key, p => p.Name, StringComparer.Ordinal);
            await File.WriteAllTextAsync(caOnly, ExtractLastCertificate(await File.ReadAllTextAsync(Path.Combine(_directory, "ecr-api-tls", "ca-bundle.pem"))));
            var reports = new Dictionary<string, List<(double Ms, double JitMethods, double JitMs)>>(StringComparer.Ordinal);
            var contenders = probes.Select(p => new Contender(p.Key, async run =>
            {
                var result = await Exec.RunAsync(Exe, ["probe", .. p.Args], With(p.Environment ?? []));
                var line = result.Output.Split('\n').FirstOrDefault(l => l.StartsWith("PROBE ", StringComparison.Ordinal));
                if (result.ExitCode != 0 || line is null)
                {
                    throw new InvalidOperationException($"probe {p.Key} failed: {result.Describe()}");
                }

                var values = line[6..].Split(' ').Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1], StringComparer.Ordinal);
                if (run >= 0)
                {
                    if (!reports.TryGetValue(p.Key, out var list))
                    {
                        reports[p.Key] = list = [];
                    }

                    list.Add((double.Parse(values["ms"], CultureInfo.InvariantCulture), double.Parse(values["jit_methods"], CultureInfo.InvariantCulture), double.Parse(values["jit_ms"], CultureInfo.InvariantCulture)));
                }

                return (IReadOnlyList<(string, Sample)>)[(p.Key, new Sample(result.Seconds))];
            })).ToList();
            var rows = await RunCaseAsync("Building blocks, each alone in a fresh process (JIT build): what a cold process pays for each piece", names, contenders, Math.Min(options.Runs, 5));
            var text = Stats.Table(
                ["", "process s", "in Main ms", "JIT methods", "JIT ms"],
                rows.Select(r => (IReadOnlyList<string>)[r.Name, Stats.S(r.Median), Stats.Ms(Stats.Median(reports[r.Key].Select(x => x.Ms))), Stats.Ms(Stats.Median(reports[r.Key].Select(x => x.JitMethods))), Stats.Ms(Stats.Median(reports[r.Key].Select(x => x.JitMs)))]));
            Console.Write(text);
        }

        private static string ExtractLastCertificate(string bundle)
        {
            const string Begin = "-----BEGIN CERTIFICATE-----";
            return bundle[bundle.LastIndexOf(Begin, StringComparison.Ordinal)..];
        }

        // ---------------------------------------------------------------- reporting

        private void PrintTable(IReadOnlyList<Row> rows, IReadOnlyList<string> bases, string primary)
        {
            var baseRows = bases.Select(b => rows.FirstOrDefault(r => r.Key == b)).Where(r => r is not null).ToList();
            string[] header = ["", "median s", "min s", "max s", .. baseRows.Select(b => "÷ " + b!.Key), "peak RSS"];
            var table = rows.Select(r => (IReadOnlyList<string>)[r.Name, Stats.S(r.Median), Stats.S(r.Min), Stats.S(r.Max), .. baseRows.Select(b => Stats.Ratio(r.Median / b!.Median)), Stats.Mb(r.PeakKb)]);
            var text = Stats.Table(header, table);
            Console.Write(text);
            _summary.Append(text);
            _ = primary;
        }

        private void Goal(IReadOnlyList<Row> rows, string ours, string against, double limit, double aim, string what)
        {
            if (rows.FirstOrDefault(r => r.Key == ours) is not { } o || rows.FirstOrDefault(r => r.Key == against) is not { } a)
            {
                return;
            }

            var ratio = o.Median / a.Median;
            var verdict = ratio <= aim ? "met, and the aim too" : ratio <= limit ? "met" : "MISSED";
            var line = string.Create(CultureInfo.InvariantCulture, $"Goal {what}: {Stats.S(o.Median)} / {Stats.S(a.Median)} s = {ratio:0.00}× (limit {limit:0.00}×, aim {aim:0.00}×): {verdict}");
            Console.WriteLine("  " + line);
            _goals.Add(line);
        }

        private static void PrintPhases(string title, IReadOnlyList<Row> rows, string key, bool wholeProcess)
        {
            if (rows.FirstOrDefault(r => r.Key == key) is not { } row || row.Samples.All(s => s.Report is null))
            {
                return;
            }

            var phases = row.Samples.Where(s => s.Report is not null).Select(s => Phases(s.Report!, wholeProcess ? s.WallSeconds : null)).ToList();
            var keys = phases.SelectMany(p => p.Keys).Distinct().ToList();
            Console.WriteLine($"  Where the time goes in \"{title}\" (median ms over the counted runs; @ = when, since the call started, from the library's own log lines):");
            Console.Write(Stats.Table(["", "ms"], keys.Select(k => (IReadOnlyList<string>)[k, Stats.Ms(Stats.Median(phases.Where(p => p.ContainsKey(k)).Select(p => p[k])))])).Replace("\n  ", "\n    ", StringComparison.Ordinal).Insert(0, "  "));
            var reports = row.Samples.Select(s => s.Report!).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    JIT during the call: {Stats.Median(reports.Select(r => (double)r.JitMethods)):0} methods, {Stats.Median(reports.Select(r => r.JitMs)):0} ms; process CPU (user + system, every thread): {Stats.Median(reports.Select(r => r.CpuMs)):0} ms; assemblies loaded: {Stats.Median(reports.Select(r => (double)r.Assemblies)):0}; allocated: {Stats.Median(reports.Select(r => r.AllocatedKb / 1024.0)):0.0} MB"));
        }

        /// <summary>
        /// Milestones of one push, in ms since the call started, from the library's own log lines (the lookups run
        /// concurrently, so these are points in time, not durations); a milestone whose line is missing is left out.
        /// </summary>
        private static Dictionary<string, double> Phases(ChildReport report, double? wallSeconds)
        {
            var events = report.Events;
            var phases = new Dictionary<string, double>(StringComparer.Ordinal);
            var call = report.CallSeconds * 1000;
            if (wallSeconds is { } wall && report.MainSeconds is { } main)
            {
                phases["process: runtime start-up + exit (wall - time in Main)"] = (wall - main) * 1000;
                phases["process: in Main before and after the call"] = (main - report.CallSeconds) * 1000;
            }

            void At(string name, Func<string, bool> match, bool last = false)
            {
                var hits = events.Where(e => match(e.Text)).ToList();
                if (hits.Count > 0)
                {
                    phases[name] = last ? hits[^1].Ms : hits[0].Ms;
                }
            }

            static bool Starts(string text, string prefix) => text.StartsWith(prefix, StringComparison.Ordinal);
            At("@ first log line (EcrPush loaded, settings checked)", _ => true);
            At("@ local image found (engine inspect)", t => Starts(t, "INF Found "));
            At("@ region, endpoint and credentials resolved", t => Starts(t, "VER Region "));
            At("@ ECR token received", t => Starts(t, "VER ECR GetAuthorizationToken"));
            At("@ repository known (described or created)", t => Starts(t, "VER The repository ") || Starts(t, "INF Created the repository") || Starts(t, "INF The repository "));
            At("@ tagged; push starts", t => Starts(t, "INF Pushing ") && !t.Contains(" to the ECR repository ", StringComparison.Ordinal));
            var removed = events.Select((e, i) => (e, i)).FirstOrDefault(x => Starts(x.e.Text, "VER Removed the tag"));
            var done = events.Select((e, i) => (e, i)).FirstOrDefault(x => Starts(x.e.Text, "INF Pushed "));
            var end = removed.e.Text is not null ? removed.i : done.e.Text is not null ? done.i : -1;
            if (end > 0)
            {
                phases["@ push done (last progress line)"] = events[end - 1].Ms;
            }

            At("@ untagged", t => Starts(t, "VER Removed the tag"), last: true);
            phases["@ call returns"] = call;
            foreach (var e in events)
            {
                if (EcrCall().Match(e.Text) is { Success: true } m)
                {
                    phases[$"  ECR {m.Groups[1].Value}, duration as logged"] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                }
            }

            return phases;
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"^VER ECR (\w+): HTTP \d+.* in (\d+) ms")]
        private static partial System.Text.RegularExpressions.Regex EcrCall();

        private void Summarize(IReadOnlyDictionary<string, IReadOnlyList<Row>> results)
        {
            Console.WriteLine();
            Console.WriteLine($"Summary ({Environment.ProcessorCount} cores, medians; highest 1-minute load average seen: {_maxLoad.ToString("0.00", CultureInfo.InvariantCulture)}{(_maxLoad > Environment.ProcessorCount ? ", above the core count: other work was running, run again on a quiet machine" : string.Empty)}):");
            foreach (var goal in _goals)
            {
                Console.WriteLine("  " + goal);
            }

            if (results.TryGetValue("new", out var small) && results.TryGetValue("big", out var big) &&
                small.FirstOrDefault(r => r.Key == "ours-whole")?.PeakKb is { } smallPeak && big.FirstOrDefault(r => r.Key == "ours-whole")?.PeakKb is { } bigPeak)
            {
                var growth = bigPeak / (double)smallPeak;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  Goal 4. peak RSS of our process (VmHWM, median), 5 MiB vs 100 MiB image: {Stats.Mb(smallPeak)} vs {Stats.Mb(bigPeak)} ({growth:0.00}×): {(growth <= 1.10 ? "does not grow with image size" : "GROWS with image size")}"));
            }
        }

        // ---------------------------------------------------------------- helpers

        private void PrintMachine()
        {
            var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            Console.WriteLine($"EcrPush benchmark: {Environment.ProcessorCount} cores (nproc), {cpu}, {memory} memory; .NET {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($"  aws CLI: {tools.Aws} ({Tools.Version(tools.Aws, "--version")})");
            Console.WriteLine($"  docker CLI: {tools.Docker} ({Tools.Version(tools.Docker, "--version")})");
            Console.WriteLine($"  credential helper: {tools.CredentialHelper} ({Tools.Version(tools.CredentialHelper, "version")})");
            Console.WriteLine($"  moto_server: {tools.MotoServer}");
            Console.WriteLine($"  EcrPush child: {Exe} (JIT); EcrPush.dll-only ReadyToRun build (the linux-x64 package's image): {options.ReadyToRunLibrary ?? "none (--r2r-lib)"}; all-ReadyToRun build: {options.ReadyToRun ?? "none (--r2r)"}");
        }

        private void PrepareEnvironment(TlsEcrApi api)
        {
            // The machine's environment minus anything that would point a program at another AWS account, Docker
            // engine, docker config or proxy; HOME is a folder of this run, so no tool reads or writes ~/.aws or ~/.docker.
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                var name = (string)entry.Key;
                if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("DOCKER_", StringComparison.Ordinal) ||
                    name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ECRPUSH_BENCH_", StringComparison.Ordinal))
                {
                    continue;
                }

                _environment[name] = (string)entry.Value!;
            }

            var home = Directory.CreateDirectory(Path.Combine(_directory, "home")).FullName;
            _environment["HOME"] = home;
            _environment["AWS_ACCESS_KEY_ID"] = "testing";
            _environment["AWS_SECRET_ACCESS_KEY"] = "testing";
            _environment["AWS_REGION"] = Region;
            _environment["AWS_DEFAULT_REGION"] = Region;
            _environment["AWS_EC2_METADATA_DISABLED"] = "true";
            _environment["AWS_CONFIG_FILE"] = Path.Combine(home, ".aws", "config");
            _environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, ".aws", "credentials");
            _environment["AWS_PAGER"] = string.Empty;
            _environment["AWS_CA_BUNDLE"] = api.CaBundle;
            _environment["SSL_CERT_FILE"] = api.CaBundle;
            _environment["DOCKER_HOST"] = _stack.DockerHost;
        }

        private async Task CheckDockerCliAsync()
        {
            var result = await Exec.RunAsync(tools.Docker, ["version", "--format", "{{.Server.APIVersion}}"], With(new() { ["DOCKER_CONFIG"] = _floorConfigOrEmpty() }));
            if (result.ExitCode != 0)
            {
                _environment["DOCKER_API_VERSION"] = "1.41";
                result = await Exec.RunAsync(tools.Docker, ["version", "--format", "{{.Server.APIVersion}}"], With(new() { ["DOCKER_CONFIG"] = _floorConfigOrEmpty() }));
                Check(result, "docker version (with DOCKER_API_VERSION=1.41)");
                Console.WriteLine("  The docker CLI needs DOCKER_API_VERSION=1.41 for this engine; set for every recipe.");
            }

            Console.WriteLine($"  Engine API version {result.Output.Trim()}");
        }

        private string _floorConfigOrEmpty() => Directory.CreateDirectory(Path.Combine(_directory, "docker-config-probe")).FullName;

        private Dictionary<string, string> With(Dictionary<string, string> extra)
        {
            var environment = new Dictionary<string, string>(_environment, StringComparer.Ordinal);
            foreach (var (name, value) in extra)
            {
                environment[name] = value;
            }

            return environment;
        }

        /// <summary>A DOCKER_CONFIG folder of this run (never ~/.docker), with the given config.json; deleted with the run's folder.</summary>
        private string WriteDockerConfig(string name, string json)
        {
            var directory = Directory.CreateDirectory(Path.Combine(_directory, "docker-config-" + name)).FullName;
            File.WriteAllText(Path.Combine(directory, "config.json"), json);
            return directory;
        }

        private async Task DockerAsync(string config, params string[] args)
        {
            var result = await Exec.RunAsync(tools.Docker, args, With(new() { ["DOCKER_CONFIG"] = config }));
            Check(result, "docker " + string.Join(' ', args));
        }

        private Task BuildBigAsync(string reference) => _stack.BuildImageAsync(reference, BigLayers, BigLayerBytes);

        private Task RemoveAsync(params string[] references) => DockerAsync(_floorConfig, ["rmi", .. references]);

        private void Check(ExecResult result, string what)
        {
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed: {result.Describe()}");
            }

            if (options.Verbose)
            {
                Console.WriteLine($"    [{what}: {result.Seconds:0.000} s]");
            }
        }

        private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

        private static string Id(int run) => run < 0 ? $"w{-run}" : (run + 1).ToString(CultureInfo.InvariantCulture);
    }
}

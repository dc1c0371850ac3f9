using System.Globalization;

namespace Ecr.Benchmarks;

/// <summary>Not counted in the cases: traced runs (HTTP, TLS, JIT), runtime-knob variants, and the building blocks priced alone.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
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
            PrintTable(rows, ["v0"]);
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
    }
}

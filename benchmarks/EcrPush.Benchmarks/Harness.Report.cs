using System.Globalization;

namespace Ecr.Benchmarks;

/// <summary>The report: tables with ratios, goals, the phases of a push from its log lines, and the summary.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
        private static void PrintTable(IReadOnlyList<Row> rows, IReadOnlyList<string> bases)
        {
            var baseRows = bases.Select(b => rows.FirstOrDefault(r => r.Key == b)).Where(r => r is not null).ToList();
            string[] header = ["", "median s", "min s", "max s", .. baseRows.Select(b => "÷ " + b!.Key), "peak RSS"];
            var table = rows.Select(r => (IReadOnlyList<string>)[r.Name, Stats.S(r.Median), Stats.S(r.Min), Stats.S(r.Max), .. baseRows.Select(b => Stats.Ratio(r.Median / b!.Median)), Stats.Mb(r.PeakKb)]);
            var text = Stats.Table(header, table);
            Console.Write(text);
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

        /// <summary>Whether a push's peak memory stays flat from the small image to the big one (medians of VmHWM).</summary>
        private void MemoryGoal(IReadOnlyList<Row> rows, string small, string big, string what)
        {
            if (rows.FirstOrDefault(r => r.Key == small) is not { PeakKb: { } smallPeak } smallRow || rows.FirstOrDefault(r => r.Key == big) is not { PeakKb: { } bigPeak } bigRow)
            {
                return;
            }

            var growth = bigPeak / (double)smallPeak;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"Goal {what}, {SmallLayers * SmallLayerBytes >> 20} MiB vs {BigLayers * BigLayerBytes >> 20} MiB image: {Stats.Mb(smallPeak)} vs {Stats.Mb(bigPeak)} (medians; highest {Stats.Mb(smallRow.MaxPeakKb)} vs {Stats.Mb(bigRow.MaxPeakKb)}), {growth:0.00}×: {(growth <= 1.10 ? "flat (within 10%)" : "GROWS with image size")}");
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
            At("@ docker-archive unpacked; its layers' compression starts (engine-free)", t => Starts(t, "VER ") && t.Contains(" is a docker-archive: compressing its layers", StringComparison.Ordinal));
            At("@ layout or archive read (engine-free)", t => Starts(t, "INF Read "));
            At("@ blobs uploaded (engine-free)", t => Starts(t, "INF Uploaded "));
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
    }
}

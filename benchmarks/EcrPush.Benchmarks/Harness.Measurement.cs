using System.Globalization;

namespace Ecr.Benchmarks;

/// <summary>The measurement loop: warm-ups, counted runs in rotating order, the load average around them.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
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

        private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

        private static string Id(int run) => run < 0 ? $"w{-run}" : (run + 1).ToString(CultureInfo.InvariantCulture);
    }
}

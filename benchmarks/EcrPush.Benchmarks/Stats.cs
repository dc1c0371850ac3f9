using System.Globalization;
using System.Text;

namespace Ecr.Benchmarks;

/// <summary>One counted measurement of one contender.</summary>
internal sealed record Sample(double Seconds, long? PeakKb = null, ChildReport? Report = null, double? WallSeconds = null);

/// <summary>The counted samples of one contender in one case.</summary>
internal sealed class Row(string key, string name)
{
    public string Key { get; } = key;

    public string Name { get; } = name;

    public List<Sample> Samples { get; } = [];

    public double Median => Stats.Median(Samples.Select(s => s.Seconds));

    public double Min => Samples.Min(s => s.Seconds);

    public double Max => Samples.Max(s => s.Seconds);

    public long? PeakKb => Samples.Any(s => s.PeakKb is not null) ? (long)Stats.Median(Samples.Where(s => s.PeakKb is not null).Select(s => (double)s.PeakKb!.Value)) : null;

    public long? MaxPeakKb => Samples.Any(s => s.PeakKb is not null) ? Samples.Where(s => s.PeakKb is not null).Max(s => s.PeakKb!.Value) : null;
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static string S(double seconds) => double.IsNaN(seconds) ? "-" : seconds.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "-" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public static string Mb(long? kb) => kb is { } k ? (k / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MB" : "";

    /// <summary>A plain-text table: first column left-aligned, the others right-aligned.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var (row, index) in all.Select((r, i) => (r, i)))
        {
            text.Append("  ");
            for (var c = 0; c < header.Count; c++)
            {
                var cell = c < row.Count ? row[c] : string.Empty;
                text.Append(c == 0 ? cell.PadRight(widths[c]) : "  " + cell.PadLeft(widths[c]));
            }

            text.Append('\n');
            if (index == 0)
            {
                text.Append("  ").Append(new string('-', widths.Sum() + (2 * (widths.Length - 1)))).Append('\n');
            }
        }

        return text.ToString();
    }
}

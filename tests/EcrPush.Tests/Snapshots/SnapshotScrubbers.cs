using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Ecr.Tests.Snapshots;

/// <summary>
/// Verify's settings for every snapshot of the test assembly, set once before any test runs: what changes from run
/// to run is scrubbed here, with Verify's own scrubbers, so that a snapshot pins only the text and shape that a
/// person reads. Verify itself already replaces the solution, project and temp folders and the user's home
/// ({SolutionDirectory}, {ProjectDirectory}, {TempPath}, {UserProfile}).
/// </summary>
internal static partial class SnapshotScrubbers
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        VerifierSettings.ScrubInlineGuids();

        // The two ways EcrPush prints a time: a token's expiry (round-trip "O") and a role session name's timestamp.
        VerifierSettings.ScrubInlineDateTimeOffsets("O", CultureInfo.InvariantCulture);
        VerifierSettings.ScrubInlineDateTimes("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

        VerifierSettings.AddScrubber(ScrubDigests);
        VerifierSettings.AddScrubber(ScrubMeasuredDurations);
        VerifierSettings.AddScrubber(ScrubLoopbackPorts);
        VerifierSettings.AddScrubber(ScrubTempEntries);
    }

    /// <summary>
    /// Digests of images built at random: each distinct digest becomes Digest_1, Digest_2, … in order of first
    /// appearance, so that a snapshot still shows which digests are the same. A short form (sha256: and the first
    /// 12 hex digits, as the Verbose log prints blobs) becomes Digest_N_short, N its full digest's where one is there.
    /// </summary>
    internal static void ScrubDigests(StringBuilder builder)
    {
        var text = builder.ToString();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match full in FullDigest().Matches(text))
        {
            numbers.TryAdd(full.Value, numbers.Count + 1);
        }

        text = FullDigest().Replace(text, match => $"Digest_{numbers[match.Value]}");
        text = ShortDigest().Replace(text, match =>
        {
            var full = numbers.Keys.FirstOrDefault(digest => digest.StartsWith(match.Value, StringComparison.Ordinal)) ?? match.Value;
            numbers.TryAdd(full, numbers.Count + 1);
            return $"Digest_{numbers[full]}_short";
        });
        builder.Clear().Append(text);
    }

    /// <summary>
    /// Durations that were measured: EcrPush prints them as seconds with two decimals (<c>in 0.12 s</c>) or as whole
    /// milliseconds (<c>in 123 ms</c>, a measured call or a jittered wait). Configured limits (<c>within 5 s</c>,
    /// <c>0.5 s</c>) are printed with at most one decimal and stay: they are part of the message.
    /// </summary>
    internal static void ScrubMeasuredDurations(StringBuilder builder)
        => Replace(builder, MeasuredDuration(), match => $"{{Duration}} {match.Groups["unit"].Value}");

    /// <summary>The port of a loopback address: the local stack's and the tests' fronts' ports are picked at random.</summary>
    internal static void ScrubLoopbackPorts(StringBuilder builder)
        => Replace(builder, LoopbackPort(), match => $"{match.Groups["host"].Value}:{{Port}}");

    /// <summary>
    /// A file or folder directly in the temp folder: tests and the archive reader create them with random names. Each
    /// distinct one becomes {TempPath}Temp_1, Temp_2, …; what follows it in a path stays.
    /// </summary>
    internal static void ScrubTempEntries(StringBuilder builder)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var tempEntry = new Regex(Regex.Escape(Path.GetTempPath()) + @"[^/\\\s'""`,;:)\]}]+", RegexOptions.CultureInvariant);
        Replace(builder, tempEntry, match =>
        {
            if (!numbers.TryGetValue(match.Value, out var number))
            {
                number = numbers.Count + 1;
                numbers[match.Value] = number;
            }

            return $"{{TempPath}}Temp_{number}";
        });
    }

    /// <summary>
    /// For a snapshot that asks for it, not for every one: the size of a gzip layer EcrPush compressed itself (a
    /// docker-archive's layer.tar), which follows the runtime's zlib rather than EcrPush. Its descriptor keeps its place.
    /// </summary>
    internal static void ScrubCompressedLayerSizes(StringBuilder builder)
        => Replace(builder, CompressedLayerSize(), match => $"{match.Groups["before"].Value}{{CompressedSize}}");

    private static void Replace(StringBuilder builder, Regex regex, MatchEvaluator evaluator)
    {
        var text = builder.ToString();
        var scrubbed = regex.Replace(text, evaluator);
        if (!ReferenceEquals(text, scrubbed))
        {
            builder.Clear().Append(scrubbed);
        }
    }

    [GeneratedRegex("sha256:[0-9a-f]{64}(?![0-9a-f])", RegexOptions.CultureInvariant)]
    private static partial Regex FullDigest();

    [GeneratedRegex("sha256:[0-9a-f]{12}(?![0-9a-f])", RegexOptions.CultureInvariant)]
    private static partial Regex ShortDigest();

    [GeneratedRegex(@"(?<![\w.])\d+(?:\.\d{2} (?<unit>s)| (?<unit>ms))\b", RegexOptions.CultureInvariant)]
    private static partial Regex MeasuredDuration();

    [GeneratedRegex(@"(?<before>""mediaType"":""application/vnd\.docker\.image\.rootfs\.diff\.tar\.gzip"",""size"":)\d+", RegexOptions.CultureInvariant)]
    private static partial Regex CompressedLayerSize();

    [GeneratedRegex(@"(?<host>\b127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\blocalhost|\[::1\]):(?<port>\d{1,5})\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LoopbackPort();
}

using System.Globalization;

namespace Ecr.Benchmarks;

/// <summary>
/// The cases without an engine (issue 13): 100 MiB in 10 fresh layers pushed by EcrPush from an OCI layout and from a
/// docker-archive, against the aws-CLI recipe pushing the same kind of image from the engine and against skopeo pushing
/// the same kind of layout; the peak memory of those pushes at 5 MiB and at 100 MiB; and the upload parallelism.
/// Every contender of every run gets an image of its own with fresh random layers, so nothing is in the registry yet;
/// making it (the engine's load, skopeo's layout, <c>docker save</c>) happens before the clock starts.
/// </summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
        /// <summary>What a contender's image is made into before its timed push.</summary>
        private enum Input
        {
            Layout,
            Archive,
        }

        private async Task<IReadOnlyList<Row>> EngineFreeAsync()
        {
            if (tools.Skopeo is null)
            {
                Console.WriteLine();
                Console.WriteLine("Case 5 (engine-free) left out: no skopeo.");
                return [];
            }

            var title = $"Case 5: {BigLayers} fresh layers × {BigLayerBytes >> 20} MiB ({BigLayers * BigLayerBytes >> 20} MiB) pushed without an engine (new repository each push; " +
                "layouts by skopeo copy docker-daemon: → oci:, archives by docker save, the engine's load of the recipe's image: none of it counted)";
            var names = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["aws"] = "aws-CLI recipe, image already in the engine: create-repository, login, tag, push, rmi",
                ["skopeo"] = "skopeo recipe: create-repository, get-login-password, skopeo copy oci:LAYOUT docker://… --dest-creds",
                ["layout"] = "EcrPush from an OCI layout (SetSourceOciLayout), whole process, auto-create, 3 at once (default)",
                ["archive"] = "EcrPush from a docker-archive (SetSourceImageArchive), whole process, auto-create",
                ["layout-small"] = $"EcrPush from an OCI layout, {SmallLayers} × {SmallLayerBytes >> 20} MiB (for its peak memory)",
                ["archive-small"] = $"EcrPush from a docker-archive, {SmallLayers} × {SmallLayerBytes >> 20} MiB (for its peak memory)",
            };
            string Image(int run) => $"bench-ef:aws-{Id(run)}";
            var contenders = new List<Contender>
            {
                new("aws", run => AwsRecipeAsync("aws", Image(run), $"bench/ef-aws-{Id(run)}", "1", create: true),
                    run => BuildBigAsync(Image(run)), run => RemoveAsync(Image(run))),
                Prepared("skopeo", Input.Layout, BigLayers, BigLayerBytes, (path, run) => SkopeoRecipeAsync("skopeo", path, $"bench/ef-skopeo-{Id(run)}", "1")),
                Prepared("layout", Input.Layout, BigLayers, BigLayerBytes, (path, run) => OursWholeAsync("layout", Exe, "oci:" + path, $"bench/ef-layout-{Id(run)}", "1", create: true, _registryTrust)),
                Prepared("archive", Input.Archive, BigLayers, BigLayerBytes, (path, run) => OursWholeAsync("archive", Exe, "archive:" + path, $"bench/ef-archive-{Id(run)}", "1", create: true, _registryTrust)),
                Prepared("layout-small", Input.Layout, SmallLayers, SmallLayerBytes, (path, run) => OursWholeAsync("layout-small", Exe, "oci:" + path, $"bench/ef-layout-small-{Id(run)}", "1", create: true, _registryTrust)),
                Prepared("archive-small", Input.Archive, SmallLayers, SmallLayerBytes, (path, run) => OursWholeAsync("archive-small", Exe, "archive:" + path, $"bench/ef-archive-small-{Id(run)}", "1", create: true, _registryTrust)),
            };

            if (options.ReadyToRunLibrary is { } r2r)
            {
                // What a build on linux-x64 gets from the package: EcrPush.dll precompiled, so less JIT in the push.
                names["layout-r2r"] = "EcrPush from an OCI layout, linux-x64 package (ReadyToRun), whole process, auto-create, 3 at once";
                contenders.Add(Prepared("layout-r2r", Input.Layout, BigLayers, BigLayerBytes, (path, run) => OursWholeAsync("layout-r2r", r2r, "oci:" + path, $"bench/ef-layout-r2r-{Id(run)}", "1", create: true, _registryTrust)));
            }

            var rows = await RunCaseAsync(title, names, contenders, options.BigRuns);
            PrintTable(rows, ["aws", "skopeo"]);
            Goal(rows, "layout", "aws", 0.5, 0.5, "5a. 100 MiB from an OCI layout, no engine, vs aws-CLI recipe (image in the engine)");
            Goal(rows, "layout", "skopeo", 1.0, 1.0, "5b. 100 MiB from an OCI layout vs skopeo copy from that kind of layout (faster than skopeo)");
            Goal(rows, "archive", "aws", 1.0, 1.0, "5c. 100 MiB from a docker-archive (compressed on the fly) vs aws-CLI recipe (image in the engine)");
            MemoryGoal(rows, "layout-small", "layout", "6a. peak RSS of the engine-free push (VmHWM), OCI layout");
            MemoryGoal(rows, "archive-small", "archive", "6b. peak RSS of the engine-free push (VmHWM), docker-archive");
            PrintPhases("EcrPush from an OCI layout, whole process (100 MiB, new repository)", rows, "layout", wholeProcess: true);
            PrintPhases("EcrPush from a docker-archive, whole process (100 MiB, new repository)", rows, "archive", wholeProcess: true);
            PrintPhases("EcrPush from an OCI layout, linux-x64 package (ReadyToRun), whole process (100 MiB, new repository)", rows, "layout-r2r", wholeProcess: true);
            return rows;
        }

        private async Task<IReadOnlyList<Row>> ParallelismAsync()
        {
            if (tools.Skopeo is null)
            {
                Console.WriteLine();
                Console.WriteLine("Case 7 (upload parallelism) left out: no skopeo.");
                return [];
            }

            var title = $"Case 7: upload parallelism (SetUploadParallelism; default 3), EcrPush from an OCI layout, {BigLayers} fresh layers × {BigLayerBytes >> 20} MiB, whole process, new repository each push";
            var names = options.Parallelisms.ToDictionary(n => Key(n), n => $"EcrPush from an OCI layout, {n} blob{(n == 1 ? string.Empty : "s")} at once{(n == 3 ? " (the default)" : string.Empty)}", StringComparer.Ordinal);
            var contenders = options.Parallelisms
                .Select(n => Prepared(Key(n), Input.Layout, BigLayers, BigLayerBytes, (path, run) => OursWholeAsync(Key(n), Exe, "oci:" + path, $"bench/par-{n}-{Id(run)}", "1", create: true, _registryTrust, parallelism: n)))
                .ToList();

            var rows = await RunCaseAsync(title, names, contenders, options.BigRuns);
            var reference = rows.FirstOrDefault(r => r.Key == Key(3)) ?? rows[0];
            PrintTable(rows, [reference.Key]);

            // The upload alone, from the library's own line "Uploaded N of M blobs (…) in X s, P at once": without the
            // process's start-up, the token and the repository, so less noisy than the whole process.
            var uploads = rows.ToDictionary(r => r.Key, r => Stats.Median(r.Samples.Select(s => s.Report is null ? double.NaN : UploadSeconds(s.Report)).Where(v => !double.IsNaN(v))), StringComparer.Ordinal);
            var text = Stats.Table(
                ["", "whole process s", "upload alone s (median, from the log)", $"upload ÷ {reference.Key}"],
                rows.Select(r => (IReadOnlyList<string>)[r.Name, Stats.S(r.Median), Stats.S(uploads[r.Key]), Stats.Ratio(uploads[r.Key] / uploads[reference.Key])]));
            Console.Write(text);
            var fastest = rows.MinBy(r => r.Median)!;
            var fastestUpload = rows.MinBy(r => uploads[r.Key])!;
            var line = $"7. upload parallelism: fastest whole push here {fastest.Key} ({Stats.S(fastest.Median)} s), fastest upload alone {fastestUpload.Key} ({Stats.S(uploads[fastestUpload.Key])} s); the default {reference.Key}: {Stats.S(reference.Median)} s whole, {Stats.S(uploads[reference.Key])} s upload";
            Console.WriteLine("  " + line);
            _goals.Add(line);
            return rows;

            static string Key(int n) => "p" + n.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// A contender whose image is made fresh before each of its runs and turned into a layout or an archive under
        /// this run's folder (the engine's copy removed again); its push gets that path; the path goes afterwards.
        /// </summary>
        private Contender Prepared(string key, Input input, int layers, int bytesPerLayer, Func<string, int, Task<IReadOnlyList<(string, Sample)>>> push)
        {
            string Image(int run) => $"bench-ef:{key}-{Id(run)}";
            string PathOf(int run) => Path.Combine(_directory, "engine-free-inputs", $"{key}-{Id(run)}{(input == Input.Archive ? ".tar" : string.Empty)}");
            return new Contender(
                key,
                run => push(PathOf(run), run),
                async run =>
                {
                    Directory.CreateDirectory(Path.Combine(_directory, "engine-free-inputs"));
                    await _stack.BuildImageAsync(Image(run), layers, bytesPerLayer);
                    if (input == Input.Layout)
                    {
                        var result = await Exec.RunAsync(tools.Skopeo!, ["copy", "--quiet", "--src-daemon-host", _stack.DockerHost, $"docker-daemon:{Image(run)}", $"oci:{PathOf(run)}:1"], With([]));
                        Check(result, $"skopeo copy docker-daemon:{Image(run)} oci:{PathOf(run)}:1");
                    }
                    else
                    {
                        await DockerAsync(_floorConfig, "save", "-o", PathOf(run), Image(run));
                    }

                    await RemoveAsync(Image(run));
                },
                run =>
                {
                    var path = PathOf(run);
                    if (Directory.Exists(path))
                    {
                        Directory.Delete(path, recursive: true);
                    }
                    else
                    {
                        File.Delete(path);
                    }

                    return Task.CompletedTask;
                });
        }

        /// <summary>The blob upload's own duration, from the library's line "Uploaded … in X s, …"; NaN when absent.</summary>
        private static double UploadSeconds(ChildReport report) =>
            report.Events.Select(e => UploadedLine().Match(e.Text)).FirstOrDefault(m => m.Success) is { } match
                ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
                : double.NaN;

        [System.Text.RegularExpressions.GeneratedRegex(@"^INF Uploaded \d+ of \d+ blobs .* in ([0-9.]+) s")]
        private static partial System.Text.RegularExpressions.Regex UploadedLine();
    }
}

using System.Globalization;

namespace Ecr.Benchmarks;

/// <summary>EcrPush as a contender: a whole process, calls in a running process, and pushes inside a real Nuke build.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
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

        private async Task<IReadOnlyList<(string, Sample)>> OursWholeAsync(string key, string exe, string source, string repository, string tag, bool create, IReadOnlyDictionary<string, string>? extra = null, int? parallelism = null)
        {
            string[] args = ["push-once", source, repository, tag, .. create ? (string[])["create"] : [], .. parallelism is { } n ? (string[])[$"parallelism={n}"] : []];
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
    }
}

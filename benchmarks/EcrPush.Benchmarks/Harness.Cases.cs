namespace Ecr.Benchmarks;

/// <summary>The cases through the Docker engine: a new repository, an existing one (with the Nuke build), a big image.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
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

            var rows = await RunCaseAsync(title, names, contenders, options.Runs);
            PrintTable(rows, ["aws"]);
            Goal(rows, "ours-whole", "aws", 0.35, 0.25, "1. (IL, the package on other platforms) new repository, whole process vs aws-CLI recipe");
            Goal(rows, "r2r-whole", "aws", 0.35, 0.25, "1. (linux-x64 package, ReadyToRun) new repository, whole process vs aws-CLI recipe");
            PrintPhases("EcrPush IL, whole process (new repository)", rows, "ours-whole", wholeProcess: true);
            PrintPhases("EcrPush IL, first call in a running process (new repository)", rows, "ours-first", wholeProcess: false);
            PrintPhases("EcrPush linux-x64 package (ReadyToRun), whole process (new repository)", rows, "r2r-whole", wholeProcess: true);
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

            var rows = await RunCaseAsync(title, names, contenders, options.Runs);
            PrintTable(rows, ["helper", "aws", "nuke-helper"]);
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
            PrintTable(rows, ["aws"]);
            Goal(rows, "ours-whole", "aws", 1.05, 1.05, "3. 100 MiB into an empty registry vs aws-CLI recipe");
            PrintPhases("EcrPush, whole process (100 MiB, new repository)", rows, "ours-whole", wholeProcess: true);
            return rows;
        }
    }
}

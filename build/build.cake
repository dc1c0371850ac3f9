// The project's own build. Run through ./build.sh or build.cmd: ./build.sh --target=Test
//   --target=Test   unit tests, integration tests and Cake tests (the last two on a local ECR stand-in: run as root)
//   --target=Demo   the main job end to end on a local stand-in for ECR (build/demo.cake)
//   --target=Push   a real push with your AWS credentials (build/push.cake):
//                   --source-image=web:1.4.2 --repository=team/web [--tag=1.4.2,latest] [--region=us-east-1] [--create-repository]
//   --target=Pack   packages into artifacts/packages
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");

var root = MakeAbsolute(Directory(".."));
var solution = root.CombineWithFilePath("EcrPush.Nuke.sln");
var artifacts = root.Combine("artifacts");
var testResults = artifacts.Combine("test-results");

// What build/demo.cake and build/push.cake load with #r: the addin with its dependencies, and the stand-in.
var scriptAssemblies = artifacts.Combine("build-scripts");

Task("Clean")
    .Does(() => CleanDirectories(new[] { artifacts.FullPath }));

Task("Build")
    .Does(() => DotNetBuild(solution.FullPath, new DotNetBuildSettings { Configuration = configuration }));

Task("Test")
    .Description("Unit tests, then the integration tests on a real Docker engine, registry and moto (needs root).")
    .IsDependentOn("Build")
    .Does(() =>
    {
        CleanDirectory(testResults);
        var failures = new List<string>();
        foreach (var project in new[] { "tests/EcrPush.Tests/EcrPush.Tests.csproj", "tests/EcrPush.IntegrationTests/EcrPush.IntegrationTests.csproj", "tests/EcrPush.CakeTests/EcrPush.CakeTests.csproj" })
        {
            try
            {
                DotNetTest(root.CombineWithFilePath(project).FullPath, new DotNetTestSettings
                {
                    Configuration = configuration,
                    NoBuild = true,
                    ResultsDirectory = testResults,
                    Loggers = { $"trx;LogFilePrefix={System.IO.Path.GetFileNameWithoutExtension(project)}", "console;verbosity=normal" },
                });
            }
            catch (Exception exception)
            {
                failures.Add($"{project}: {exception.Message}");
            }
        }

        // One plain closing line, so that a run that executed no test shows.
        int passed = 0, failed = 0, skipped = 0;
        foreach (var trx in GetFiles($"{testResults}/*.trx"))
        {
            var counters = XDocument.Load(trx.FullPath).Descendants().First(e => e.Name.LocalName == "Counters");
            passed += (int)counters.Attribute("passed");
            failed += (int)counters.Attribute("failed") + (int)counters.Attribute("error") + (int)counters.Attribute("timeout") + (int)counters.Attribute("aborted");
            skipped += (int)counters.Attribute("notExecuted");
        }

        Information($"Totals: {passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
        if (failures.Count > 0)
        {
            throw new Exception("Tests failed:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
        }
    });

Task("Pack")
    .IsDependentOn("Build")
    .Does(() => DotNetPack(solution.FullPath, new DotNetPackSettings { Configuration = configuration, NoBuild = true, OutputDirectory = artifacts.Combine("packages") }));

Task("Demo")
    .Description("The main job end to end on a local stand-in for ECR (dockerd, registry, moto): build an image, push it with the Cake alias, pull it back. Needs Linux and root.")
    .Does(() =>
    {
        BuildForScripts("src/Cake.EcrPush/Cake.EcrPush.csproj", "tests/EcrPush.TestStack/EcrPush.TestStack.csproj");
        RunScript("build/demo.cake");
    });

Task("Push")
    .Description("Pushes a local image to ECR with your AWS credentials: --source-image=web:1.4.2 --repository=team/web [--tag=1.4.2,latest] [--region=...] [--create-repository]")
    .Does(() =>
    {
        // Checked here too, so that a missing argument is said before a build, not after it.
        if (!HasArgument("source-image") || !HasArgument("repository"))
        {
            throw new CakeException(
                "--target=Push needs --source-image and --repository, e.g." + Environment.NewLine +
                "  ./build.sh --target=Push --source-image=web:1.4.2 --repository=team/web --tag=1.4.2,latest --create-repository");
        }

        BuildForScripts("src/Cake.EcrPush/Cake.EcrPush.csproj");
        RunScript("build/push.cake");
    });

Task("Benchmark")
    .Description("EcrPush against the aws-CLI and the credential-helper recipes on the local ECR stand-in (Linux, root, awscli, amazon-ecr-credential-helper). Options: --runs=7 --warmups=1 --big-runs=3 --trace-runs=3 --cases=new,existing,big --variants=true --probes=true --nice=0 --install-tools=true --aws=PATH --verbose=true")
    .Does(() =>
    {
        var project = root.CombineWithFilePath("benchmarks/EcrPush.Benchmarks/EcrPush.Benchmarks.csproj").FullPath;
        var output = artifacts.Combine("benchmarks");
        DotNetBuild(project, new DotNetBuildSettings { Configuration = "Release" });

        // Two ReadyToRun builds of the same program: EcrPush.dll alone (what the package gives a build on linux-x64)
        // and every assembly (what a build published ReadyToRun gets). Without them the benchmark still runs, minus those rows.
        var arguments = new List<string>();
        foreach (var (name, option, libraryOnly) in new[] { ("r2r-lib", "r2r-lib", true), ("r2r-all", "r2r", false) })
        {
            try
            {
                DotNetPublish(project, new DotNetPublishSettings
                {
                    Configuration = "Release",
                    Runtime = "linux-x64",
                    SelfContained = false,
                    OutputDirectory = output.Combine(name),
                    MSBuildSettings = new DotNetMSBuildSettings()
                        .WithProperty("PublishReadyToRun", "true")
                        .WithProperty("ReadyToRunLibraryOnly", libraryOnly ? "true" : "false")
                        .WithProperty("IntermediateOutputPath", $"obj/{name}/"),
                });
                arguments.Add($"--{option}={output.Combine(name).CombineWithFilePath("EcrPush.Benchmarks").FullPath}");
            }
            catch (Exception exception)
            {
                Warning($"No ReadyToRun build {name} ({exception.Message}); its rows are left out.");
            }
        }

        foreach (var name in new[] { "runs", "warmups", "big-runs", "trace-runs", "cases", "variants", "probes", "nice", "install-tools", "aws", "verbose" })
        {
            if (HasArgument(name))
            {
                arguments.Add($"--{name}={Argument<string>(name)}");
            }
        }

        // The benchmark installs nothing unless --install-tools=true: a missing awscli or amazon-ecr-credential-helper is named, with the apt-get line.
        var exitCode = StartProcess(
            root.CombineWithFilePath("benchmarks/EcrPush.Benchmarks/bin/Release/net10.0/EcrPush.Benchmarks"),
            new ProcessSettings { Arguments = string.Join(" ", arguments.Select(a => a.Quote())), WorkingDirectory = root });
        if (exitCode != 0)
        {
            throw new CakeException($"The benchmark failed (exit code {exitCode}); see above.");
        }
    });

Task("Default").IsDependentOn("Test");

RunTarget(target);

// Builds projects into the one folder that the helper scripts' #r lines name, whatever the configuration.
void BuildForScripts(params string[] projects)
{
    foreach (var project in projects)
    {
        DotNetBuild(root.CombineWithFilePath(project).FullPath, new DotNetBuildSettings
        {
            Configuration = configuration,
            OutputDirectory = scriptAssemblies,
            NoLogo = true,
        });
    }
}

// Runs a helper script with the same pinned runner (`dotnet cake`, from .config/dotnet-tools.json) in a process
// of its own: Cake resolves a script's #r lines when it compiles the script, before any task of this one has built
// what they name. This script's arguments are passed on, but for its own target and configuration.
void RunScript(string script)
{
    var notPassed = new[] { "target", "configuration" };
    var arguments = new ProcessArgumentBuilder()
        .Append("cake")
        .AppendQuoted(root.CombineWithFilePath(script).FullPath)
        .Append("--verbosity=" + Context.Log.Verbosity.ToString().ToLowerInvariant());
    foreach (var (name, values) in Context.Arguments.GetArguments())
    {
        if (notPassed.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            continue;
        }

        foreach (var value in values)
        {
            arguments = string.IsNullOrEmpty(value) ? arguments.Append("--" + name) : arguments.AppendQuoted("--" + name + "=" + value);
        }
    }

    var exitCode = StartProcess("dotnet", new ProcessSettings { Arguments = arguments, WorkingDirectory = root });
    if (exitCode != 0)
    {
        throw new CakeException(exitCode, $"{script} failed with exit code {exitCode}; the reason is above.");
    }
}

// The project's own build. Run through ./build.sh or build.cmd: ./build.sh --target=Test
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");

var root = MakeAbsolute(Directory(".."));
var solution = root.CombineWithFilePath("EcrPush.Nuke.sln");
var artifacts = root.Combine("artifacts");
var testResults = artifacts.Combine("test-results");

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
        foreach (var project in new[] { "tests/EcrPush.Tests/EcrPush.Tests.csproj", "tests/EcrPush.IntegrationTests/EcrPush.IntegrationTests.csproj" })
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

Task("Default").IsDependentOn("Test");

RunTarget(target);

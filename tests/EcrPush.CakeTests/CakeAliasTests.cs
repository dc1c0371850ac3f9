using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.CakeTests;

/// <summary>
/// The Cake face as a build author uses it: the real pinned Cake runner compiles a script that loads the addin and
/// pushes to the local ECR stand-in, reached through the environment as AWS would be.
/// </summary>
[Collection(AddinCollectionDefinition.Name)]
public sealed partial class CakeAliasTests(AddinFixture fixture, ITestOutputHelper output)
{
    private const string Region = "us-east-1";

    private LocalEcrStack Stack => fixture.Stack;

    private string Host => Stack.RegistryHost(Region);

    [Fact]
    public async Task Loaded_by_r_from_its_build_output_the_alias_pushes_and_Cake_shows_the_steps()
    {
        await Stack.BuildImageAsync("cake-r-web:1.4.2", layers: 2);
        var repository = NewRepository("by-r");
        var script = $$"""
            #r "{{fixture.AddinAssembly}}"

            Task("Push").Does(() =>
            {
                var pushed = EcrPush(s => s
                    .SetSourceImageName("cake-r-web").SetSourceImageTag("1.4.2")
                    .SetRepositoryName("{{repository}}")
                    .SetTargetTags("1.4.2", "latest")
                    .EnableAutoCreateRepository());
                Information("Result: {0} {1}", pushed.ImageReference, pushed.Digest);
            });

            RunTarget("Push");
            """;

        var (run, _) = await RunAsync(script);

        run.EnsureSucceeded();
        var digest = AssertPushShown(run, "cake-r-web:1.4.2", repository, "1.4.2");
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Equal(["1.4.2", "latest"], await fixture.RegistryTagsAsync(Region, repository));

        // Cake's default verbosity leaves out the engine's verbose detail.
        Assert.DoesNotContain("credentials from", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loaded_by_addin_from_a_local_feed_the_async_alias_pushes_and_the_addin_comes_from_that_feed()
    {
        await Stack.BuildImageAsync("cake-addin-web:2.0.0", layers: 2);
        var repository = NewRepository("by-addin");
        var script = $$"""
            #addin nuget:?package=Cake.EcrPush&version={{fixture.PackageVersion}}&loaddependencies=true

            Task("Push").Does(async () =>
            {
                var pushed = await EcrPushAsync(s => s
                    .SetSourceImageName("cake-addin-web:2.0.0")
                    .SetRepositoryName("{{repository}}")
                    .SetTargetTags("2.0.0")
                    .EnableAutoCreateRepository());
                Information("Result: {0} {1}", pushed.ImageReference, pushed.Digest);
                Information("EcrPush loaded from {0}", typeof(Ecr.EcrPushResult).Assembly.Location);
            });

            RunTarget("Push");
            """;

        // Diagnostic: NuGet's requests are then in the output, and so is the engine's verbose detail.
        var (run, scriptDirectory) = await RunAsync(script, "--nuget_source=" + fixture.NuGetSources, "--verbosity=diagnostic");

        run.EnsureSucceeded();
        var installed = Path.Combine(scriptDirectory, "tools", "Addins", $"Cake.EcrPush.{fixture.PackageVersion}", "lib", "net10.0", "Cake.EcrPush.dll");
        Assert.True(File.Exists(installed), $"Cake did not install the addin at {installed}");
        Assert.True(File.Exists(Path.Combine(scriptDirectory, "tools", "Addins", $"EcrPush.{fixture.PackageVersion}", "lib", "net10.0", "EcrPush.dll")), "Cake did not install EcrPush beside the addin");
        Assert.DoesNotContain(run.Lines, line => RemoteRequestForTheAddin().IsMatch(line));

        // On linux-x64 Cake takes the package's ReadyToRun image (runtimes/linux-x64), elsewhere the IL in lib/.
        var loadedFrom = run.Lines.Single(line => line.StartsWith("EcrPush loaded from ", StringComparison.Ordinal))["EcrPush loaded from ".Length..];
        if (RuntimeInformation.RuntimeIdentifier == "linux-x64")
        {
            Assert.EndsWith(Path.Combine("runtimes", "linux-x64", "lib", "net10.0", "EcrPush.dll"), loadedFrom, StringComparison.Ordinal);
            Assert.True(IsReadyToRun(loadedFrom), $"{loadedFrom} carries no ReadyToRun code");
            var plain = Path.Combine(scriptDirectory, "tools", "Addins", $"EcrPush.{fixture.PackageVersion}", "lib", "net10.0", "EcrPush.dll");
            Assert.Equal(ModuleVersionId(plain), ModuleVersionId(loadedFrom));
        }
        else
        {
            Assert.EndsWith(Path.Combine("lib", "net10.0", "EcrPush.dll"), loadedFrom, StringComparison.Ordinal);
        }

        var digest = AssertPushShown(run, "cake-addin-web:2.0.0", repository, "2.0.0");
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Contains("credentials from", run.Output, StringComparison.Ordinal);
        Assert.Equal(["2.0.0"], await fixture.RegistryTagsAsync(Region, repository));
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_push_fails_the_Cake_task_with_the_reason_and_a_non_zero_exit()
    {
        await Stack.BuildImageAsync("cake-missing:1");
        var repository = NewRepository("missing");
        var script = $$"""
            #r "{{fixture.AddinAssembly}}"

            Task("Push").Does(() =>
            {
                EcrPush(s => s
                    .SetSourceImageName("cake-missing").SetSourceImageTag("2")
                    .SetRepositoryName("{{repository}}")
                    .EnableAutoCreateRepository());
                Information("Not reached");
            });

            RunTarget("Push");
            """;

        var (run, _) = await RunAsync(script);

        Assert.True(run.ExitCode != 0, $"Cake exited with 0 after a failed push:\n{run.Output}");
        Assert.Contains("cake-missing:2 is not in the Docker engine", run.Output, StringComparison.Ordinal);
        Assert.Contains("cake-missing:1", run.Output, StringComparison.Ordinal);
        Assert.Contains("'Push'", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Not reached", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(LocalEcrStack.RegistryPassword, run.Output, StringComparison.Ordinal);
        Assert.Empty(await fixture.RegistryTagsAsync(Region, repository));
    }

    private static string NewRepository(string name) => $"cake/{name}-{Guid.NewGuid():N}"[..(name.Length + 17)];

    /// <summary>Whether an assembly holds precompiled code: ReadyToRun images have a managed native header.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    /// <summary>The compiler's identity of a module: the same in an assembly and in a ReadyToRun image made from it.</summary>
    private static Guid ModuleVersionId(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        var metadata = reader.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
    }

    // A request to, or an install from, a remote source for either of the project's own packages.
    [GeneratedRegex(@"(GET|Installed).*https?://.*(cake\.ecrpush|/ecrpush[/.])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RemoteRequestForTheAddin();

    private async Task<(CommandResult Run, string ScriptDirectory)> RunAsync(string script, params string[] arguments)
    {
        var result = await fixture.RunCakeAsync(script, arguments);
        output.WriteLine($"{fixture.Preparation}; this Cake run took {result.Run.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(result.Run.Output);
        return result;
    }

    /// <summary>
    /// The engine's steps in Cake's log, and the script's own line with the result; returns the pushed digest,
    /// which the "Pushed" line must name too.
    /// </summary>
    private string AssertPushShown(CommandResult run, string source, string repository, string firstTag)
    {
        Assert.Contains(run.Lines, line => line.StartsWith("Pushing ", StringComparison.Ordinal) &&
            line.Contains($" {source} ", StringComparison.Ordinal) && line.Contains($" {repository} ", StringComparison.Ordinal));
        var result = Assert.Single(run.Lines, line => line.StartsWith("Result: ", StringComparison.Ordinal)).Split(' ');
        Assert.Equal($"{Host}/{repository}:{firstTag}", result[1]);
        var digest = result[2];
        Assert.Contains(run.Lines, line => line.StartsWith("Pushed ", StringComparison.Ordinal) && line.Contains(digest, StringComparison.Ordinal));
        return digest;
    }
}

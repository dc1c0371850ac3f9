using System.Text.RegularExpressions;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.CakeTests;

/// <summary>
/// Every Cake snippet of the documents (the README, docs/, the addin's PACKAGE.md) compiles in the real pinned Cake
/// against the addin packed from this build: its <c>#addin</c> line takes this run's version from the local feed, a
/// fragment without a task becomes the body of one, and the run is a dry run (<c>--dryrun</c>), so that Cake compiles
/// and walks the script without pushing anything.
/// </summary>
[Collection(AddinCollectionDefinition.Name)]
public sealed partial class DocumentSnippetTests(AddinFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_cake_snippet_of_the_documents_compiles_in_Cake_against_the_packed_addin()
    {
        var snippets = DocumentSnippets.CSharp(fixture.RepositoryRoot).Where(snippet => snippet.IsCake).ToList();
        Assert.Contains(snippets, snippet => snippet.Document == "README.md");
        Assert.Contains(snippets, snippet => snippet.Document == "src/Cake.EcrPush/PACKAGE.md");

        var failures = new List<string>();
        foreach (var snippet in snippets)
        {
            var (run, _) = await fixture.RunCakeAsync(Script(snippet.Code), "--nuget_source=" + fixture.NuGetSources, "--dryrun");
            output.WriteLine($"{snippet}: exit code {run.ExitCode} in {run.Elapsed.TotalSeconds:0.0} s");
            if (run.ExitCode != 0)
            {
                failures.Add($"{snippet} fails in Cake:\n{run.Output}\n{snippet.Code}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public async Task A_cake_snippet_that_calls_what_the_addin_does_not_have_fails()
    {
        var (run, _) = await fixture.RunCakeAsync(Script("EcrPush(s => s.SetRepositoryName(\"team/web\").SetNoSuchSetting(true));"), "--nuget_source=" + fixture.NuGetSources, "--dryrun");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("SetNoSuchSetting", run.Output, StringComparison.Ordinal);
    }

    // The snippet as a script that loads this run's package and defines, but does not run, what it pushes.
    private string Script(string snippet)
    {
        var addin = $"#addin nuget:?package=Cake.EcrPush&version={fixture.PackageVersion}&loaddependencies=true";
        var body = AddinLine().Replace(snippet, string.Empty).Trim();
        if (!body.Contains("Task(", StringComparison.Ordinal))
        {
            body = $"Task(\"Snippet\").Does(() =>\n{{\n{body}\n}});";
        }

        return addin + "\n\n" + body + "\n";
    }

    [GeneratedRegex(@"^#addin nuget:\?package=Cake\.EcrPush[^\n]*$", RegexOptions.Multiline)]
    private static partial Regex AddinLine();
}

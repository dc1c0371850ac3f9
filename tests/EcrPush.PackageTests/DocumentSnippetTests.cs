using System.IO.Compression;
using Ecr.TestStack;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace Ecr.PackageTests;

/// <summary>
/// Every Nuke and plain C# snippet of the documents compiles against the packed EcrPush.dll (Roslyn, C# latest), as a
/// build file of its own: a snippet with top-level statements as a program, any other as a library. Each gets the
/// SDK's implicit usings and the two usings every EcrPush build has (<c>using Ecr; using static Ecr.EcrTasks;</c>),
/// so that a fragment (a call inside some target) reads as it would in a build. Cake scripts are compiled by the real
/// Cake in tests/EcrPush.CakeTests.
/// </summary>
[Collection(PackedRepositoryCollectionDefinition.Name)]
public sealed class DocumentSnippetTests(PackedRepository packed, ITestOutputHelper output)
{
    private const string Usings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Ecr;
        global using static Ecr.EcrTasks;
        """;

    [Fact]
    public void Every_nuke_and_csharp_snippet_of_the_documents_compiles_against_the_packed_library()
    {
        var snippets = DocumentSnippets.CSharp(PackedRepository.Clone).Where(snippet => !snippet.IsCake).ToList();
        Assert.Contains(snippets, snippet => snippet.Document == "README.md" && snippet.Code.Contains("class Build : NukeBuild", StringComparison.Ordinal));
        Assert.True(snippets.Count >= 6, $"only {snippets.Count} snippets found");

        var references = References();
        var failures = new List<string>();
        foreach (var snippet in snippets)
        {
            var errors = Compile(snippet.Code, references);
            output.WriteLine($"{snippet}: {(errors.Count == 0 ? "compiles" : errors.Count + " errors")}");
            if (errors.Count > 0)
            {
                failures.Add($"{snippet} does not compile against the package:\n  {string.Join("\n  ", errors)}\n{snippet.Code}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void A_snippet_that_calls_what_the_package_does_not_have_fails()
    {
        var errors = Compile("EcrPush(_ => _.SetRepositoryName(\"team/web\").SetNoSuchSetting(true));", References());

        Assert.Contains(errors, error => error.Contains("SetNoSuchSetting", StringComparison.Ordinal));
    }

    private static List<string> Compile(string code, IReadOnlyList<MetadataReference> references)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(code, options, path: "Snippet.cs");
        var program = tree.GetCompilationUnitRoot().Members.Any(member => member is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree, CSharpSyntaxTree.ParseText(Usings, options, path: "Usings.cs")],
            references,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())];
    }

    // The runtime this test runs on (the framework, Nuke, AWSSDK.Core, Serilog), and EcrPush.dll from the package.
    private IReadOnlyList<MetadataReference> References()
    {
        var library = Path.Combine(packed.Copy, "packed-lib", "EcrPush.dll");
        if (!File.Exists(library))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(library)!);
            using var package = ZipFile.OpenRead(packed.Package("EcrPush"));
            package.GetEntry("lib/net10.0/EcrPush.dll")!.ExtractToFile(library);
        }

        var runtime = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !string.Equals(Path.GetFileName(path), "EcrPush.dll", StringComparison.OrdinalIgnoreCase));
        return [.. runtime.Append(library).Select(path => MetadataReference.CreateFromFile(path))];
    }
}

using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>A C# code block of a document, and where it stands.</summary>
/// <param name="Document">The document's path, relative to the clone.</param>
/// <param name="Line">The line of the block's opening fence, from 1.</param>
/// <param name="Code">The code between the fences.</param>
public sealed record DocumentSnippet(string Document, int Line, string Code)
{
    /// <summary>A Cake script: it loads the addin (<c>#addin</c>, <c>#r</c>) or says so in its first line (<c>// Cake</c>).</summary>
    public bool IsCake =>
        Code.Split('\n').Any(line => line.StartsWith("#addin", StringComparison.Ordinal) || line.StartsWith("#r ", StringComparison.Ordinal))
        || Code.TrimStart().StartsWith("// Cake", StringComparison.Ordinal);

    /// <summary>Where it stands, <c>README.md:42</c>, for a test's message.</summary>
    /// <returns>The document and line.</returns>
    public override string ToString() => $"{Document}:{Line}";
}

/// <summary>
/// The documents a user reads (the README, docs/, CONTRIBUTING.md, each package's PACKAGE.md) and their C# code blocks,
/// for the tests that hold them to the library: snippets that compile, versions that follow the changelog.
/// </summary>
public static partial class DocumentSnippets
{
    /// <summary>The user-facing documents of the clone at <paramref name="repositoryRoot"/>, relative to it, in a fixed order.</summary>
    public static IReadOnlyList<string> Documents(string repositoryRoot)
    {
        string[] fixedOnes = ["README.md", "CONTRIBUTING.md"];
        var docs = Directory.Exists(Path.Combine(repositoryRoot, "docs"))
            ? Directory.GetFiles(Path.Combine(repositoryRoot, "docs"), "*.md")
            : [];
        var packages = Directory.GetFiles(Path.Combine(repositoryRoot, "src"), "PACKAGE.md", SearchOption.AllDirectories);
        return [.. fixedOnes.Where(name => File.Exists(Path.Combine(repositoryRoot, name))),
            .. docs.Concat(packages).Select(path => Path.GetRelativePath(repositoryRoot, path).Replace('\\', '/')).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every <c>```csharp</c> block of every document of <see cref="Documents"/>.</summary>
    public static IReadOnlyList<DocumentSnippet> CSharp(string repositoryRoot)
    {
        var snippets = new List<DocumentSnippet>();
        foreach (var document in Documents(repositoryRoot))
        {
            var lines = File.ReadAllLines(Path.Combine(repositoryRoot, document));
            for (var i = 0; i < lines.Length; i++)
            {
                if (!CSharpFence().IsMatch(lines[i]))
                {
                    continue;
                }

                var end = Array.FindIndex(lines, i + 1, line => line.TrimStart().StartsWith("```", StringComparison.Ordinal));
                if (end < 0)
                {
                    throw new InvalidOperationException($"{document}:{i + 1}: a code block that never closes.");
                }

                snippets.Add(new DocumentSnippet(document, i + 1, string.Join('\n', lines[(i + 1)..end])));
                i = end;
            }
        }

        return snippets;
    }

    [GeneratedRegex("^\\s*```(csharp|cs|c#)\\b", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();
}

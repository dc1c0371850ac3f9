using System.Text.RegularExpressions;
using Ecr.TestStack;

namespace Ecr.PackageTests;

/// <summary>
/// The versions the documents tell users to pin (<c>#addin …&amp;version=…</c>, <c>--version</c>, <c>Version="…"</c>)
/// are the newest release in CHANGELOG.md; before the first release, the version it will have, which is where MinVer
/// starts (<c>MinVerMinimumMajorMinor</c> in src/Directory.Build.props: 1.0 gives 1.0.0-alpha.0.N until the tag v1.0.0).
/// </summary>
public sealed partial class VersionReferenceTests
{
    private static string Root => PackedRepository.Clone;

    [Fact]
    public void Every_pinned_version_in_the_documents_is_the_newest_release_of_the_changelog()
    {
        var expected = ExpectedVersion(File.ReadAllText(Path.Combine(Root, "CHANGELOG.md")), File.ReadAllText(Path.Combine(Root, "src", "Directory.Build.props")));
        var references = DocumentSnippets.Documents(Root)
            .SelectMany(document => PinnedVersion().Matches(File.ReadAllText(Path.Combine(Root, document))).Select(match => (Document: document, match.Value, Version: match.Groups["version"].Value)))
            .ToList();

        Assert.Contains(references, reference => reference.Document == "README.md");
        Assert.All(references, reference => Assert.True(
            reference.Version == expected,
            $"{reference.Document} pins {reference.Value}; the version to pin is {expected} (CHANGELOG.md's newest release, or the first one before any)."));
    }

    [Theory]
    [InlineData("## [Unreleased]\n\n## [1.4.0] - 2027-01-10\n\n## [1.3.2] - 2026-12-20\n", "1.4.0")]
    [InlineData("## [Unreleased]\n\n### Added\n", "1.0.0")]
    public void The_version_to_pin_is_the_newest_release_or_the_first_one_to_come(string changelog, string expected)
        => Assert.Equal(expected, ExpectedVersion(changelog, "<MinVerMinimumMajorMinor>1.0</MinVerMinimumMajorMinor>"));

    private static string ExpectedVersion(string changelog, string props)
    {
        var released = Regex.Match(changelog, @"^## \[(?<version>\d+\.\d+\.\d+[^\]]*)\]", RegexOptions.Multiline);
        if (released.Success)
        {
            return released.Groups["version"].Value;
        }

        var minimum = Regex.Match(props, "<MinVerMinimumMajorMinor>(?<value>[^<]+)</MinVerMinimumMajorMinor>");
        Assert.True(minimum.Success, "src/Directory.Build.props sets no MinVerMinimumMajorMinor, and CHANGELOG.md has no release.");
        return minimum.Groups["value"].Value + ".0";
    }

    [GeneratedRegex(@"(#addin nuget:\?package=Cake\.EcrPush&version=|package EcrPush --version |Include=""(Cake\.)?EcrPush"" Version="")(?<version>[0-9][^&\s""]*)")]
    private static partial Regex PinnedVersion();
}

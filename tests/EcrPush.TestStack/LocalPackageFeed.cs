namespace Ecr.TestStack;

/// <summary>
/// A NuGet folder feed of this clone's packages, packed from an existing build, for tests that consume them the way a
/// user does (a Cake <c>#addin</c>, a Nuke build's PackageReference).
/// </summary>
public static class LocalPackageFeed
{
    /// <summary>
    /// Packs <paramref name="projects"/> with no build, from <paramref name="configuration"/>'s output, as
    /// <paramref name="version"/> into <paramref name="feed"/>: the bits other tests run from their build output.
    /// </summary>
    /// <param name="repositoryRoot">The clone; <paramref name="projects"/> are relative to it.</param>
    /// <param name="projects">Project files to pack, packed concurrently.</param>
    /// <param name="configuration">The configuration they were built in.</param>
    /// <param name="version">The package version, unique to a test run so that no cached package of an earlier run can stand in.</param>
    /// <param name="feed">The folder to pack into.</param>
    /// <param name="timeout">How long each pack may take.</param>
    /// <returns>When every project is packed; throws with the pack's output when one fails.</returns>
    public static async Task PackAsync(
        string repositoryRoot, IEnumerable<string> projects, string configuration, string version, string feed, TimeSpan timeout)
    {
        var packs = projects.Select(project => ChildCommand.RunAsync(
            "dotnet",
            ["pack", project, "--configuration", configuration, "--no-build", "--output", feed, "-p:Version=" + version, "-nologo"],
            repositoryRoot,
            timeout));
        foreach (var pack in await Task.WhenAll(packs).ConfigureAwait(false))
        {
            pack.EnsureSucceeded();
        }
    }

    /// <summary>The enabled package sources of this machine's NuGet configuration as seen from <paramref name="directory"/>.</summary>
    /// <param name="directory">Where NuGet looks for its configuration files (and upwards from there).</param>
    /// <param name="timeout">How long <c>dotnet nuget list source</c> may take.</param>
    /// <returns>The sources' URLs or folders, in NuGet's order.</returns>
    public static async Task<IReadOnlyList<string>> EnabledSourcesAsync(string directory, TimeSpan timeout)
    {
        var sources = (await ChildCommand.RunAsync("dotnet", ["nuget", "list", "source", "--format", "short"], directory, timeout).ConfigureAwait(false))
            .EnsureSucceeded();

        // `E <source>` for an enabled source, `D <source>` for a disabled one.
        return [.. sources.Lines.Where(line => line.StartsWith("E ", StringComparison.Ordinal)).Select(line => line[2..].Trim())];
    }
}

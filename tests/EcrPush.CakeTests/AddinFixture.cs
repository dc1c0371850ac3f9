using System.Globalization;
using Ecr.TestStack;

namespace Ecr.CakeTests;

/// <summary>
/// The stand-in, plus the built addin for <c>#r</c> and a local package feed with Cake.EcrPush and EcrPush packed
/// from that same build under a version of their own, for <c>#addin</c>: made once per test run.
/// </summary>
public sealed class AddinFixture : CakeStackFixture
{
    private static readonly string[] PackedProjects = ["src/Cake.EcrPush/Cake.EcrPush.csproj", "src/EcrPush/EcrPush.csproj"];

    /// <summary>The built addin, with its dependencies beside it.</summary>
    public string AddinAssembly { get; private set; } = null!;

    /// <summary>A folder feed holding Cake.EcrPush and EcrPush at <see cref="PackageVersion"/>.</summary>
    public string PackageFeed { get; private set; } = null!;

    /// <summary>Unique to this run, so that no package of an earlier run (in NuGet's caches) can stand in for it.</summary>
    public string PackageVersion { get; } =
        string.Create(CultureInfo.InvariantCulture, $"0.0.0-caketest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");

    /// <summary>
    /// Cake's NuGet_Source: the local feed first, then the sources this machine's NuGet uses, for the addin's
    /// dependencies. With the version given, Cake looks for the addin in its own folder, the global packages folder
    /// and then the sources in this order, so it finds it in the feed before any remote source.
    /// </summary>
    public string NuGetSources { get; private set; } = null!;

    protected override async Task PrepareAsync()
    {
        AddinAssembly = Path.Combine(RepositoryRoot, "src", "Cake.EcrPush", "bin", Configuration, "net10.0", "Cake.EcrPush.dll");
        if (!File.Exists(AddinAssembly))
        {
            throw new InvalidOperationException(
                $"The built addin is missing: {AddinAssembly}. Build the solution first: dotnet build EcrPush.Nuke.sln -c {Configuration}");
        }

        // The pinned runner, as ./build.sh restores it; a no-op when it is there.
        (await ChildCommand.RunAsync("dotnet", ["tool", "restore"], RepositoryRoot, CommandTimeout)).EnsureSucceeded();

        // Packed from the build the #r test uses (no-build): the two ways of loading are tested on the same bits.
        PackageFeed = Directory.CreateDirectory(Path.Combine(WorkRoot, "feed")).FullName;
        await LocalPackageFeed.PackAsync(RepositoryRoot, PackedProjects, Configuration, PackageVersion, PackageFeed, CommandTimeout);
        var enabled = await LocalPackageFeed.EnabledSourcesAsync(RepositoryRoot, CommandTimeout);
        NuGetSources = string.Join(';', [PackageFeed, .. enabled]);
    }
}

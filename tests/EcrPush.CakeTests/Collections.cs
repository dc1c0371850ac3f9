namespace Ecr.CakeTests;

/// <summary>The stand-in alone, for the project's own build targets, which push in the build's process.</summary>
public sealed class BuildTargetFixture : CakeStackFixture
{
    /// <summary>
    /// A Nuke root of its own (<c>./build.sh … --root</c>): a build that runs these tests (<c>./build.sh Test</c>) holds
    /// the clone's .nuke/temp/build.log open. It has the clone's .nuke/parameters.json and solution, nothing else.
    /// </summary>
    public string NukeRoot { get; private set; } = "";

    protected override Task PrepareAsync()
    {
        NukeRoot = Directory.CreateDirectory(Path.Combine(WorkRoot, "nuke-root")).FullName;
        Directory.CreateDirectory(Path.Combine(NukeRoot, ".nuke"));
        File.Copy(Path.Combine(RepositoryRoot, ".nuke", "parameters.json"), Path.Combine(NukeRoot, ".nuke", "parameters.json"));
        File.Copy(Path.Combine(RepositoryRoot, "EcrPush.Nuke.sln"), Path.Combine(NukeRoot, "EcrPush.Nuke.sln"));
        return Task.CompletedTask;
    }
}

// Two collections, so that the alias tests and the build-target tests run side by side, each on a stack of its own.
[CollectionDefinition(Name)]
public sealed class AddinCollectionDefinition : ICollectionFixture<AddinFixture>
{
    public const string Name = "Cake aliases on the local ECR stack";
}

[CollectionDefinition(Name)]
public sealed class BuildTargetCollectionDefinition : ICollectionFixture<BuildTargetFixture>
{
    public const string Name = "Build targets on the local ECR stack";
}

namespace Ecr.CakeTests;

/// <summary>The stand-in alone, for the build targets, which build and load the addin themselves.</summary>
public sealed class BuildTargetFixture : CakeStackFixture;

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

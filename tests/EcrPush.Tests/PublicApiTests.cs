using PublicApiGenerator;

namespace Ecr.Tests;

public sealed class PublicApiTests
{
    /// <summary>
    /// The public surface is a promise to every build script: a change to it must be deliberate. A change fails this test
    /// with a diff against PublicApiTests.Public_api_is_as_verified.verified.txt; to accept it, move the .received.txt
    /// file written beside it over that file.
    /// </summary>
    [Fact]
    public Task Public_api_is_as_verified()
        => Verify(typeof(EcrTasks).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] }));
}

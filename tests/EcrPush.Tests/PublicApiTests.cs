using PublicApiGenerator;

namespace Ecr.Tests;

public sealed class PublicApiTests
{
    /// <summary>
    /// The public surface is a promise to every build script: a change to it must be deliberate. To approve
    /// one, copy the received file over PublicApi.approved.txt.
    /// </summary>
    [Fact]
    public void Public_api_is_approved()
    {
        var api = typeof(EcrTasks).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] });
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : "";

        if (Normalize(api) != Normalize(approved))
        {
            // A CI build maps source paths to /_/ (deterministic), where nothing can be written: then beside the test assembly.
            var directory = Directory.Exists(SourceDirectory()) ? SourceDirectory() : AppContext.BaseDirectory;
            var received = Path.Combine(directory, "PublicApi.received.txt");
            File.WriteAllText(received, api);
            Assert.Fail($"The public API changed. Review {received} and, if intended, copy it over PublicApi.approved.txt.");
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

namespace Ecr.Tests.Snapshots;

/// <summary>The repository keeps snapshots the way Verify expects them: fixed line endings and encoding, received files ignored.</summary>
public sealed class VerifyConventionTests
{
    [Fact]
    public async Task Git_and_editors_keep_verified_files_as_Verify_wrote_them_and_ignore_received_ones()
    {
        // .gitattributes and .editorconfig name every extension of a verified file in the repository.
        await VerifyChecks.Run();

        // Verify 30.10 looks for ".gitIgnore", which a case-sensitive file system never has, so this one is checked here.
        var gitIgnore = await File.ReadAllLinesAsync(Path.Combine(AttributeReader.GetSolutionDirectory(), ".gitignore"));
        Assert.Contains("*.received.*", gitIgnore);
    }
}

using Ecr.Internal;
using Ecr.Internal.Sources;

using Ecr.Tests.Fakes;

namespace Ecr.Tests.Sources;

/// <summary>The engine-free sources' settings: one source, the path there and of the right kind, before any network call.</summary>
public sealed class SourceSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecrpush-settings-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Layout()
    {
        var layout = Directory.CreateDirectory(Path.Combine(_folder, "layout")).FullName;
        File.WriteAllText(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(layout, "index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
        return layout;
    }

    private static EcrPushException Invalid(EcrPushSettings settings) => Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings));

    [Fact]
    public void A_layout_with_a_name_becomes_the_plan_source_with_the_defaults()
    {
        var layout = Layout();
        var plan = SettingsValidator.Validate(new EcrPushSettings().SetSourceOciLayout($"{layout}:v1").SetRepositoryName("team/web"));

        var artifact = plan.FileSource();
        Assert.Equal((ImageFileKind.OciLayout, layout, "v1", (string?)null), (artifact.Kind, artifact.Path, artifact.Tag, artifact.Digest));
        Assert.Equal(ImageFileSpec.DefaultUploadParallelism, artifact.UploadParallelism);
        Assert.True(artifact.IncludeAttestations);
        Assert.Empty(artifact.Platforms);
        Assert.Equal($"the OCI layout {layout}:v1", plan.Source.ToString());
    }

    [Fact]
    public void A_layout_path_that_exists_with_a_colon_is_taken_whole_and_a_digest_is_read()
    {
        var layout = Layout();
        var digest = "sha256:" + new string('a', 64);

        var byDigest = SettingsValidator.Validate(new EcrPushSettings().SetSourceOciLayout($"{layout}@{digest}").SetRepositoryName("team/web")).FileSource();

        Assert.Equal((layout, (string?)null, digest), (byDigest.Path, byDigest.Tag, byDigest.Digest));
    }

    [Fact]
    public void Two_sources_are_one_error_naming_both()
    {
        var exception = Invalid(new EcrPushSettings().SetSourceOciLayout(Layout()).SetSourceImageName("web:1").SetRepositoryName("team/web"));

        Assert.Contains("More than one source image is set (SourceImageName 'web:1', SourceOciLayout '", exception.Message, StringComparison.Ordinal);
        Assert.Contains("a push takes exactly one", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_folder_a_folder_that_is_not_a_layout_and_a_file_given_as_layout_are_named()
    {
        var missing = Path.Combine(_folder, "nope");
        Assert.Contains($"the folder '{missing}' does not exist", Invalid(new EcrPushSettings().SetSourceOciLayout(missing).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);

        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        Assert.Contains("is not an OCI image layout: the folder has no index.json", Invalid(new EcrPushSettings().SetSourceOciLayout(empty).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);

        var file = Path.Combine(_folder, "image.tar");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file, not a folder: an image archive goes in SourceImageArchive", Invalid(new EcrPushSettings().SetSourceOciLayout(file).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_archive_that_is_neither_tar_nor_gzip_is_missing_or_is_a_folder_is_named_with_the_fix()
    {
        var text = Path.Combine(_folder, "notes.tar");
        File.WriteAllText(text, new string('n', 2000));
        var notArchive = Invalid(new EcrPushSettings().SetSourceImageArchive(text).SetRepositoryName("team/web"));
        Assert.Contains($"SourceImageArchive '{text}' is not an image archive: it is neither a tar nor gzip-compressed", notArchive.Message, StringComparison.Ordinal);
        Assert.Contains("docker save -o", notArchive.Message, StringComparison.Ordinal);

        var missing = Path.Combine(_folder, "missing.tar");
        Assert.Contains($"the file '{missing}' does not exist", Invalid(new EcrPushSettings().SetSourceImageArchive(missing).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);

        var folder = Directory.CreateDirectory(Path.Combine(_folder, "layout")).FullName;
        Assert.Contains($"SourceImageArchive '{folder}': '{folder}' is a folder, not a file: an OCI layout goes in SourceOciLayout.", Invalid(new EcrPushSettings().SetSourceImageArchive(folder).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux", "'linux', which is not a platform")]
    [InlineData("Linux/AMD64", "'Linux/AMD64', which is not a platform")]
    public void A_platform_not_written_os_slash_architecture_is_refused(string platform, string expected)
        => Assert.Contains(expected, Invalid(new EcrPushSettings().SetSourceOciLayout(Layout()).SetPlatforms(platform).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    public void Upload_parallelism_outside_1_to_16_is_refused(int parallelism)
        => Assert.Contains($"UploadParallelism is {parallelism}; it must be between 1 and 16", Invalid(new EcrPushSettings().SetSourceOciLayout(Layout()).SetUploadParallelism(parallelism).SetRepositoryName("team/web")).Message, StringComparison.Ordinal);

    [Fact]
    public void Layout_options_with_the_engine_as_source_are_refused()
        => Assert.Contains("apply to an OCI layout or image archive only", Invalid(new EcrPushSettings().SetSourceImageName("web:1").SetPlatforms("linux/amd64").SetRepositoryName("team/web")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_tag_with_a_plus_is_refused_before_anything_moves()
        => Assert.Contains("TargetTags[0] '1.0+build'", Invalid(new EcrPushSettings().SetSourceOciLayout(Layout()).SetRepositoryName("team/web").SetTargetTags("1.0+build")).Message, StringComparison.Ordinal);
}

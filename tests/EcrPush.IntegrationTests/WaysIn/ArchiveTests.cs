using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.WaysIn;

/// <summary>
/// ECR's archive storage class on the stand-in: the API front answers UpdateImageStorageClass, and BatchGetImage and
/// DescribeImages as they see an archived image, and the registry answers a pull of it 404, as ECR's user guide says;
/// lifecycle policies take the archive's rules, which moto refuses.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ArchiveTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    private Task<System.Text.Json.JsonElement> StorageClassAsync(string repository, string digest, string target)
        => StackChecks.EcrApiAsync(Stack, Region, "UpdateImageStorageClass", $$"""{"repositoryName":"{{repository}}","imageId":{"imageDigest":"{{digest}}"},"targetStorageClass":"{{target}}"}""");

    [Fact]
    public async Task Promoting_an_archived_image_is_a_named_error_and_works_again_once_it_is_restored()
    {
        await Stack.BuildImageAsync("it-arch:1");
        var repository = StackChecks.NewRepository("arch");
        var pushed = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-arch:1").SetRepositoryName(repository).SetTargetTags("rc").EnableAutoCreateRepository());
        Assert.Equal("ARCHIVED", (await StorageClassAsync(repository, pushed.Digest, "ARCHIVE")).GetProperty("imageStatus").GetString());
        var promotion = new EcrPushSettings().SetSourceRepositoryName(repository).SetSourceImageTag("rc").SetRepositoryName(repository).SetTargetTags("1.0");

        var archived = await Assert.ThrowsAsync<EcrPushException>(() => SourceTools.PushAsync(Stack, promotion));

        Assert.StartsWith($"The source image {pushed.FirstDestination.RepositoryUri}:rc ({pushed.Digest}) is archived (since ", archived.Message, StringComparison.Ordinal);
        Assert.Contains($"aws ecr update-image-storage-class --repository-name {repository} --image-id imageDigest={pushed.Digest} --target-storage-class STANDARD --region {Region}", archived.Message, StringComparison.Ordinal);
        Assert.EndsWith("then promote it again. Nothing was pushed.", archived.Message, StringComparison.Ordinal);
        Assert.Equal(["rc"], await Stack.RegistryTagsAsync(Region, repository));

        // Restored: ACTIVATING at the first look, as ECR's restore takes a while; active after it.
        Assert.Equal("ACTIVATING", (await StorageClassAsync(repository, pushed.Digest, "STANDARD")).GetProperty("imageStatus").GetString());
        var restoring = await Assert.ThrowsAsync<EcrPushException>(() => SourceTools.PushAsync(Stack, promotion));
        Assert.Contains("is being restored from ECR's archive (ACTIVATING)", restoring.Message, StringComparison.Ordinal);
        var promoted = await SourceTools.PushAsync(Stack, promotion);
        Assert.Equal(pushed.Digest, promoted.Digest);
    }

    [Fact]
    public async Task A_push_that_brings_an_archived_digest_back_says_so_in_the_result()
    {
        await Stack.BuildImageAsync("it-revive:1", layers: 2);
        var layout = Path.Combine(_folders.New("revive"), "oci");
        await SourceTools.SkopeoFromEngineAsync(Stack, "it-revive:1", $"oci:{layout}:1");
        var repository = StackChecks.NewRepository("revive");
        var settings = new EcrPushSettings().SetSourceOciLayout($"{layout}:1").SetRepositoryName(repository).EnableAutoCreateRepository();
        var first = await SourceTools.PushAsync(Stack, settings.SetTargetTags("1.0"));
        await StorageClassAsync(repository, first.Digest, "ARCHIVE");
        var log = fixture.Mark();

        var again = await SourceTools.PushAsync(Stack, settings.SetTargetTags("1.0-again"));

        Assert.Equal(first.Digest, again.Digest);
        Assert.False(first.FirstDestination.RestoredFromArchive);
        Assert.True(again.FirstDestination.RestoredFromArchive);
        Assert.Contains($"{again.FirstDestination.RepositoryUri}@{first.Digest} was in ECR's archive (since ", log.Text, StringComparison.Ordinal);
        var described = await StackChecks.EcrApiAsync(Stack, Region, "DescribeImages", $$"""{"repositoryName":"{{repository}}","imageIds":[{"imageDigest":"{{first.Digest}}"}]}""");
        Assert.Equal("ACTIVE", described.GetProperty("imageDetails")[0].GetProperty("imageStatus").GetString());
    }

    [Fact]
    public async Task A_lifecycle_policy_with_the_archive_s_rules_is_set_as_given()
    {
        const string Policy = """{"rules":[{"rulePriority":1,"description":"archive what nobody pulled for 90 days","selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition","targetStorageClass":"archive"}},{"rulePriority":2,"description":"expire after a year in the archive","selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":365},"action":{"type":"expire"}}]}""";
        await Stack.BuildImageAsync("it-archlc:1");
        var repository = StackChecks.NewRepository("archlc");

        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-archlc:1").SetRepositoryName(repository).EnableAutoCreateRepository().SetLifecyclePolicy(Policy));

        var set = await StackChecks.EcrApiAsync(Stack, Region, "GetLifecyclePolicy", $$"""{"repositoryName":"{{repository}}"}""");
        Assert.Equal(Policy, set.GetProperty("lifecyclePolicyText").GetString());
    }
}

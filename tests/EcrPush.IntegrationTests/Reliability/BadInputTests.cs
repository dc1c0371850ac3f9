using Docker.DotNet.Models;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>Input that only the engine can judge: an image ID prefix that names several images.</summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class BadInputTests(StackFixture fixture)
{
    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task An_image_id_prefix_that_matches_several_images_is_an_error_counting_them_and_nothing_is_pushed()
    {
        // IDs are random: one hex digit is shared by two images after a few builds (bounded: 17 images always share one).
        var (prefix, count) = await SharedFirstDigitAsync();
        for (var build = 0; count < 2 && build < 17; build++)
        {
            await Stack.BuildImageAsync($"rel-prefix:{build}");
            (prefix, count) = await SharedFirstDigitAsync();
        }

        Assert.True(count >= 2, "no two images share a first digit after 17 builds");
        var repository = StackChecks.NewRepository("prefix");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s
            .SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId(prefix).SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.Contains($"SourceImageId {prefix} matches {count} images in the Docker engine at {Stack.DockerHost}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("give more characters of the ID", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, "us-east-1", repository));
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Stack.RegistryHost("us-east-1")}/{repository}:"));
    }

    /// <summary>The first hex digit of image IDs shared by the most images in the engine, and how many.</summary>
    private async Task<(string Prefix, int Count)> SharedFirstDigitAsync()
    {
        using var engine = StackChecks.Engine(Stack);
        var images = await engine.Images.ListImagesAsync(new ImagesListParameters { All = true });
        var largest = images.GroupBy(image => image.ID[7]).MaxBy(group => group.Count());
        return largest is null ? ("0", 0) : (largest.Key.ToString(), largest.Count());
    }
}

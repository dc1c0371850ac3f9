using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.WaysIn;

/// <summary>
/// Repository creation templates applied on push on the stand-in: the API front keeps the templates ECR's API reference
/// describes (moto has none), and the region's registry gateway creates a missing repository from a template with
/// CREATE_ON_PUSH when the push's first write arrives, as ECR does. Each test's template has a prefix of its own.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class CreateOnPushTests(StackFixture fixture)
{
    private const string Region = "us-east-1";

    private LocalEcrStack Stack => fixture.Stack;

    private static string NewPrefix(string name) => $"tpl{name}{Guid.NewGuid():N}"[..20];

    private async Task TemplateAsync(string prefix, string mutability, params string[] appliedFor)
        => await StackChecks.EcrApiAsync(Stack, Region, "CreateRepositoryCreationTemplate", $$"""{"prefix":"{{prefix}}","appliedFor":[{{string.Join(",", appliedFor.Select(a => $"\"{a}\""))}}],"imageTagMutability":"{{mutability}}"}""");

    [Fact]
    public async Task A_template_that_matches_lets_the_push_create_the_repository_with_the_template_s_settings()
    {
        var prefix = NewPrefix("match");
        await TemplateAsync(prefix, "IMMUTABLE", "CREATE_ON_PUSH");
        await Stack.BuildImageAsync("it-cop:1");
        await Stack.BuildImageAsync("it-cop:2", layers: 2);
        var repository = $"{prefix}/web";
        var log = fixture.Mark();

        var pushed = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-cop:1").SetRepositoryName(repository).SetTargetTags("1.0"));

        Assert.Equal((prefix, true), (pushed.FirstDestination.RepositoryTemplate, pushed.FirstDestination.RepositoryCreated));
        Assert.Contains($"ECR creates it on push from the repository creation template '{prefix}' (CREATE_ON_PUSH, IMMUTABLE tags)", log.Text, StringComparison.Ordinal);
        var described = await StackChecks.EcrApiAsync(Stack, Region, "DescribeRepositories", $$"""{"repositoryNames":["{{repository}}"]}""");
        Assert.Equal("IMMUTABLE", described.GetProperty("repositories")[0].GetProperty("imageTagMutability").GetString());
        Assert.Equal(["1.0"], await Stack.RegistryTagsAsync(Region, repository));

        // The repository the template made is the one the immutable-tag rule reads now: another image under 1.0 is refused before it moves.
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-cop:2").SetRepositoryName(repository).SetTargetTags("1.0")));
        Assert.StartsWith($"The repository {pushed.FirstDestination.RepositoryUri} has IMMUTABLE tags, and this tag already holds another image: 1.0 holds {pushed.Digest}", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_template_that_matches_the_push_stops_naming_both_ways_and_nothing_is_created()
    {
        var prefix = NewPrefix("nomatch");
        await TemplateAsync(prefix, "MUTABLE", "CREATE_ON_PUSH");
        await TemplateAsync(prefix + "r", "MUTABLE", "REPLICATION", "PULL_THROUGH_CACHE");
        await Stack.BuildImageAsync("it-copnone:1");
        var repository = $"{prefix}x/web";

        // A prefix covers what it and a slash begin, not a longer name; a template for other scenarios does not apply on push.
        var other = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-copnone:1").SetRepositoryName(repository)));
        var replicationOnly = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-copnone:1").SetRepositoryName($"{prefix}r/web")));

        Assert.Equal($"The ECR repository {repository} does not exist in the account's registry in {Region} (and no repository creation template with CREATE_ON_PUSH covers the name). Create it, or let the push create it with AutoCreateRepository (EnableAutoCreateRepository()).", other.Message);
        Assert.StartsWith($"The ECR repository {prefix}r/web does not exist", replicationOnly.Message, StringComparison.Ordinal);
        Assert.Empty(await Stack.RegistryTagsAsync(Region, repository));
    }

    [Fact]
    public async Task With_AutoCreateRepository_the_settings_win_over_a_matching_template()
    {
        var prefix = NewPrefix("auto");
        await TemplateAsync(prefix, "IMMUTABLE", "CREATE_ON_PUSH");
        await Stack.BuildImageAsync("it-copauto:1");
        var repository = $"{prefix}/web";
        var log = fixture.Mark();

        var pushed = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-copauto:1").SetRepositoryName(repository).EnableAutoCreateRepository().SetTagMutability(TagMutability.Mutable));

        Assert.Null(pushed.FirstDestination.RepositoryTemplate);
        Assert.True(pushed.FirstDestination.RepositoryCreated);
        Assert.Contains($"The repository creation template '{prefix}' (CREATE_ON_PUSH) covers {repository}, but AutoCreateRepository is on: the push creates the repository with its own settings", log.Text, StringComparison.Ordinal);
        var described = await StackChecks.EcrApiAsync(Stack, Region, "DescribeRepositories", $$"""{"repositoryNames":["{{repository}}"]}""");
        Assert.Equal("MUTABLE", described.GetProperty("repositories")[0].GetProperty("imageTagMutability").GetString());
    }

    [Fact]
    public async Task A_caller_that_may_not_describe_templates_is_told_the_permission_and_both_ways_out()
    {
        var prefix = NewPrefix("denied");
        await TemplateAsync(prefix, "MUTABLE", "CREATE_ON_PUSH");
        await Stack.BuildImageAsync("it-copdenied:1");
        const string Key = "AKIANOTEMPLATESXXXXX";
        Stack.DenyEcrApiCalls(Key, "DescribeRepositoryCreationTemplates");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-copdenied:1").SetRepositoryName($"{prefix}/web").SetAwsAccessKeyId(Key).SetAwsSecretAccessKey("testing")));

        Assert.StartsWith($"The ECR repository {prefix}/web does not exist in the account's registry in {Region}, and these credentials (from the AwsAccessKeyId and AwsSecretAccessKey settings) may not read its repository creation templates (ecr:DescribeRepositoryCreationTemplates was denied)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Either grant ecr:DescribeRepositoryCreationTemplates, so that a template with CREATE_ON_PUSH for this name lets ECR create the repository when the image arrives; or let the push create it with AutoCreateRepository", exception.Message, StringComparison.Ordinal);
        Assert.Contains("AccessDeniedException", exception.InnerException!.Message, StringComparison.Ordinal);
        Assert.Empty(await Stack.RegistryTagsAsync(Region, $"{prefix}/web"));
    }
}

using System.Diagnostics;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>The push on real parts: dockerd, a TLS registry behind the real ECR host name, and moto as the ECR API.</summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class PushTests(StackFixture fixture)
{
    private const string Region = "us-east-1";

    private LocalEcrStack Stack => fixture.Stack;

    private string Host => Stack.RegistryHost(Region);

    [Fact]
    public async Task Pushes_by_name_and_tag_to_the_host_ECR_names_and_the_image_pulls_back_with_the_same_id()
    {
        var imageId = await Stack.BuildImageAsync("it-web:1.4.2", layers: 2);
        var repository = StackChecks.NewRepository("by-name");

        var result = await EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-web").SetSourceImageTag("1.4.2")
            .SetRepositoryName(repository).SetTargetTags("1.4.2")
            .EnableAutoCreateRepository());

        Assert.Equal($"{Host}/{repository}:1.4.2", result.ImageReference);
        Assert.Equal($"{Host}/{repository}", result.FirstDestination.RepositoryUri);
        Assert.Equal(LocalEcrStack.AccountId, result.FirstDestination.RegistryId);
        Assert.Equal(Region, result.FirstDestination.Region);
        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Matches("^sha256:[0-9a-f]{64}$", result.Digest);
        Assert.Equal(["1.4.2"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Host}/{repository}:"));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task Pushes_by_short_image_id()
    {
        var imageId = await Stack.BuildImageAsync("it-by-id:1");
        var repository = StackChecks.NewRepository("by-id");

        var result = await EcrTasks.EcrPushAsync(s => s
            .SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId(imageId[7..19])
            .SetRepositoryName(repository).SetTargetTags("from-id").EnableAutoCreateRepository());

        Assert.Equal(["from-id"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task Two_tags_push_one_digest_and_a_second_push_uploads_nothing_new()
    {
        await Stack.BuildImageAsync("it-two:1");
        var repository = StackChecks.NewRepository("two-tags");
        var settings = new EcrPushSettings().SetSourceImageName("it-two").SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1.0.0", "latest").EnableAutoCreateRepository();

        var first = await EcrTasks.EcrPushAsync(settings);
        var log = fixture.Mark();
        var second = await EcrTasks.EcrPushAsync(settings);

        Assert.Equal([$"{Host}/{repository}:1.0.0", $"{Host}/{repository}:latest"], first.AllImageReferences);
        Assert.Equal(["1.0.0", "latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Equal(first.Digest, second.Digest);
        Assert.False(second.FirstDestination.RepositoryCreated);
        Assert.Contains("already in the registry", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(": pushed", log.Text, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Host}/{repository}:"));
    }

    [Fact]
    public async Task Without_auto_create_a_missing_repository_is_an_error_and_nothing_is_pushed()
    {
        await Stack.BuildImageAsync("it-nocreate:1");
        var repository = StackChecks.NewRepository("no-create");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("it-nocreate").SetSourceImageTag("1").SetRepositoryName(repository)));

        Assert.Contains($"The ECR repository {repository} does not exist", exception.Message, StringComparison.Ordinal);
        Assert.Contains(Region, exception.Message, StringComparison.Ordinal);
        Assert.Contains("EnableAutoCreateRepository()", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, Region, repository));
    }

    [Fact]
    public async Task The_region_comes_from_AWS_DEFAULT_REGION_when_AWS_REGION_is_unset()
    {
        await Stack.BuildImageAsync("it-region:1");
        var repository = StackChecks.NewRepository("region");
        const string other = "eu-west-1";
        using var scope = new EnvironmentScope(("AWS_REGION", null), ("AWS_DEFAULT_REGION", other));

        var result = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-region").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository());

        Assert.Equal(other, result.FirstDestination.Region);
        Assert.StartsWith(Stack.RegistryHost(other) + "/", result.ImageReference, StringComparison.Ordinal);
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, other, repository));
    }

    [Fact]
    public async Task The_region_setting_wins_over_the_environment()
    {
        await Stack.BuildImageAsync("it-region2:1");
        var repository = StackChecks.NewRepository("region-setting");

        var result = await EcrTasks.EcrPushAsync(s => s.SetRegion("eu-west-1").SetSourceImageName("it-region2").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository());

        Assert.Equal("eu-west-1", result.FirstDestination.Region);
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, "eu-west-1", repository));
    }

    [Fact]
    public async Task No_region_anywhere_is_a_quick_error_saying_where_it_looked()
    {
        using var scope = new EnvironmentScope(("AWS_REGION", null), ("AWS_DEFAULT_REGION", null), ("AWS_CONFIG_FILE", "/nonexistent/config"), ("AWS_EC2_METADATA_DISABLED", "true"));
        var stopwatch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-web").SetRepositoryName("it/any")));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("AWS_REGION", exception.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_DEFAULT_REGION", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_come_from_the_Azure_Pipelines_task_variables()
    {
        await Stack.BuildImageAsync("it-azure:1");
        var repository = StackChecks.NewRepository("azure-creds");
        using var scope = new EnvironmentScope(
            ("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null),
            ("AWS_ACCESSKEYID", "AKIAAZURETASKVARIABLE"), ("AWS_SECRETACCESSKEY", "azure-task-secret-value"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"), ("AWS_CONFIG_FILE", "/nonexistent/config"));
        var log = fixture.Mark();

        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-azure").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository());

        Assert.Contains("AWS_ACCESSKEYID", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("azure-task-secret-value", log.Text, StringComparison.Ordinal);
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
    }

    [Fact]
    public async Task No_credentials_anywhere_is_a_quick_error_listing_the_sources_tried()
    {
        using var scope = new EnvironmentScope(
            ("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"), ("AWS_CONFIG_FILE", "/nonexistent/config"),
            ("AWS_EC2_METADATA_DISABLED", "true"), ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null), ("AWS_CONTAINER_CREDENTIALS_FULL_URI", null), ("AWS_WEB_IDENTITY_TOKEN_FILE", null));
        var stopwatch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-web").SetRepositoryName("it/any")));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("AWS_ACCESSKEYID", exception.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_Azure_Pipelines_the_password_is_masked_and_the_output_variable_is_set()
    {
        await Stack.BuildImageAsync("it-azp:1");
        var repository = StackChecks.NewRepository("azp-output");
        using var scope = new EnvironmentScope(("TF_BUILD", "True"));
        using var console = new ConsoleCapture();

        var result = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-azp").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository().SetOutputVariable("WEB_IMAGE"));

        var lines = console.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal($"##vso[task.setsecret]{LocalEcrStack.RegistryPassword}", lines[0]);
        Assert.Contains($"##vso[task.setvariable variable=WEB_IMAGE]{result.ImageReference}", lines);
    }

    [Fact]
    public async Task On_GitHub_Actions_the_output_and_environment_files_get_the_reference()
    {
        await Stack.BuildImageAsync("it-gha:1");
        var repository = StackChecks.NewRepository("gha-output");
        var output = Path.GetTempFileName();
        var env = Path.GetTempFileName();
        try
        {
            using var scope = new EnvironmentScope(("GITHUB_ACTIONS", "true"), ("GITHUB_OUTPUT", output), ("GITHUB_ENV", env));
            using var console = new ConsoleCapture();

            var result = await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-gha").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository().SetOutputVariable("WEB_IMAGE"));

            Assert.Contains($"::add-mask::{LocalEcrStack.RegistryPassword}", console.Text, StringComparison.Ordinal);
            Assert.Equal($"WEB_IMAGE={result.ImageReference}\n", await File.ReadAllTextAsync(output));
            Assert.Equal($"WEB_IMAGE={result.ImageReference}\n", await File.ReadAllTextAsync(env));
        }
        finally
        {
            File.Delete(output);
            File.Delete(env);
        }
    }

    [Fact]
    public async Task No_secret_reaches_the_log_at_verbose_and_no_docker_config_is_written()
    {
        await Stack.BuildImageAsync("it-secret:1");
        var repository = StackChecks.NewRepository("secrets");
        var home = Directory.CreateTempSubdirectory("ecrpush-home-").FullName;
        const string secretKey = "verbose-check-secret-access-key-value";
        const string sessionToken = "verbose-check-session-token-value";
        var token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("AWS:" + LocalEcrStack.RegistryPassword));
        try
        {
            using var scope = new EnvironmentScope(("HOME", home), ("DOCKER_CONFIG", null));
            using var console = new ConsoleCapture();

            await EcrTasks.EcrPushAsync(s => s
                .SetAwsAccessKeyId("AKIAVERBOSECHECKKEY1").SetAwsSecretAccessKey(secretKey).SetAwsSessionToken(sessionToken)
                .SetSourceImageName("it-secret").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository());

            var everything = fixture.AllLog + "\n" + console.Text;
            foreach (var secret in new[] { secretKey, sessionToken, LocalEcrStack.RegistryPassword, token })
            {
                Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            }

            Assert.False(Directory.Exists(Path.Combine(home, ".docker")), "the push wrote a Docker config folder");
            Assert.Empty(Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_image_is_an_error_naming_it_and_what_the_engine_has_and_creates_no_repository()
    {
        await Stack.BuildImageAsync("it-missing:1");
        var repository = StackChecks.NewRepository("missing");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("it-missing").SetSourceImageTag("2").SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.Contains("it-missing:2 is not in the Docker engine", exception.Message, StringComparison.Ordinal);
        Assert.Contains("it-missing:1", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was pushed.", exception.Message, StringComparison.Ordinal);
        var (status, answer) = await StackChecks.EcrApiCallAsync(Stack, "us-east-1", "DescribeRepositories", $$"""{"repositoryNames":["{{repository}}"]}""");
        Assert.Equal(400, status);
        Assert.Contains("RepositoryNotFoundException", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_engine_is_a_quick_error_naming_the_endpoint()
    {
        var stopwatch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetDockerHost("unix:///tmp/ecrpush-no-such-engine.sock").SetSourceImageName("web").SetRepositoryName("it/any").EnableAutoCreateRepository()));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("unix:///tmp/ecrpush-no-such-engine.sock", exception.Message, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_repository_name_and_tag_fail_before_any_call()
    {
        // An endpoint nobody listens on: reaching it would be a different error.
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s
            .SetEcrEndpointUrl("http://127.0.0.1:9").SetDockerHost("unix:///tmp/ecrpush-no-such-engine.sock")
            .SetSourceImageName("web").SetRepositoryName("Team/Web").SetTargetTags("-bad")));

        Assert.Contains("RepositoryName 'Team/Web'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("TargetTags[0] '-bad'", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:9", exception.Message, StringComparison.Ordinal);
    }
}

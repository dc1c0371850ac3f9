using System.Diagnostics;
using System.Globalization;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Throttling and server errors from the ECR API, injected by <see cref="EcrApiFront"/> placed in front of moto
/// through <c>AWS_ENDPOINT_URL_ECR</c>: a short storm is absorbed by the retries, a long one ends the push quickly
/// with the operation and the last answer. A fresh front per test is a fresh endpoint, so no cached token hides a call.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EcrApiFaultTests(StackFixture fixture, ITestOutputHelper output)
{
    private const string Region = "us-east-1";

    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task Throttling_and_5xx_on_every_operation_for_two_attempts_are_retried_with_backoff_and_the_push_succeeds()
    {
        await Stack.BuildImageAsync("rel-api-flaky:1");
        var repository = StackChecks.NewRepository("api-flaky");
        await using var front = new EcrApiFront(Stack.EcrEndpoint);

        // Each operation fails its first two attempts, each time with another kind of trouble.
        front.Faults = call => call.Attempt switch
        {
            1 => EcrApiFault.Throttling,
            2 => call.Operation == "GetAuthorizationToken" ? EcrApiFault.Unavailable : EcrApiFault.ServerError,
            _ => null,
        };
        using var endpoint = new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", front.Endpoint.ToString()));
        var log = fixture.Mark();
        var clock = Stopwatch.StartNew();

        var result = await EcrTasks.EcrPushAsync(s => s
            .SetAwsAccessKeyId("AKIARELIABILITYFLAKY").SetAwsSecretAccessKey(AuditTrail.AddSecret("reliability-flaky-secret-access-key")).SetAwsSessionToken(AuditTrail.AddSecret("reliability-flaky-session-token"))
            .SetSourceImageName("rel-api-flaky").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository());

        clock.Stop();
        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        foreach (var operation in Operations)
        {
            var calls = front.Calls.Where(c => c.Operation == operation).ToList();
            output.WriteLine($"{operation}: " + string.Join(", ", calls.Select(c => string.Create(CultureInfo.InvariantCulture, $"attempt {c.Attempt} at {c.At.TotalMilliseconds:0} ms → {c.Status}"))));
            Assert.Equal([1, 2, 3], calls.Select(c => c.Attempt));
            Assert.Equal([true, true, false], calls.Select(c => c.Injected));
            Assert.All(calls.Zip(calls.Skip(1)), pair => Assert.True(pair.Second.At >= pair.First.At));
        }

        Assert.Contains("ECR DescribeRepositories: attempt 1 of 3 failed (HTTP 400 ThrottlingException); retrying in", log.Text, StringComparison.Ordinal);
        Assert.Contains("ECR GetAuthorizationToken: attempt 2 of 3 failed (HTTP 503); retrying in", log.Text, StringComparison.Ordinal);
        output.WriteLine($"pushed in {clock.Elapsed.TotalSeconds:0.00} s after {front.Calls.Count} ECR calls");
    }

    public static TheoryData<string> Storms { get; } = ["throttling", "503"];

    private static readonly string[] TokenAndDescribe = ["GetAuthorizationToken", "DescribeRepositories"];
    private static readonly string[] Operations = ["GetAuthorizationToken", "DescribeRepositories", "CreateRepository"];

    [Theory]
    [MemberData(nameof(Storms))]
    public async Task A_storm_longer_than_the_retry_budget_ends_the_push_within_seconds_naming_the_operation_and_the_last_answer(string storm)
    {
        await Stack.BuildImageAsync("rel-api-storm:1");
        var repository = StackChecks.NewRepository("api-storm");
        await using var front = new EcrApiFront(Stack.EcrEndpoint);
        var fault = storm == "throttling" ? EcrApiFault.Throttling : EcrApiFault.Unavailable;
        front.Faults = _ => fault;
        using var endpoint = new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", front.Endpoint.ToString()));
        var clock = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(s => s.SetSourceImageName("rel-api-storm").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository()));

        clock.Stop();
        output.WriteLine($"failed in {clock.Elapsed.TotalMilliseconds:0} ms after {front.Calls.Count} calls: {exception.Message}");

        // Three attempts with at most 1 + 2 s of backoff between them (the standard mode's base of 1 s, doubled):
        // the bound is the attempts, not a clock.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        var operation = TokenAndDescribe.Single(o => exception.Message.Contains($"ECR {o} in {Region}", StringComparison.Ordinal));
        Assert.Equal(3, front.Count(operation));
        Assert.Contains("failed after 3 attempts", exception.Message, StringComparison.Ordinal);
        Assert.Contains(storm == "throttling" ? "ThrottlingException: Rate exceeded" : "HTTP 503", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Stack.RegistryHost(Region)}/{repository}:"));
    }

    [Fact]
    public async Task A_CreateRepository_that_ECR_carried_out_but_whose_answer_was_lost_is_taken_as_created_by_this_push_and_gets_its_options()
    {
        await Stack.BuildImageAsync("rel-api-lost-create:1");
        var repository = StackChecks.NewRepository("api-lost-create");
        const string lifecycle = """{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}""";
        await using var front = new EcrApiFront(Stack.EcrEndpoint);

        // moto creates the repository, and its answer is lost: the retry meets RepositoryAlreadyExistsException.
        front.AfterForward = call => call.Operation == "CreateRepository" && call.Attempt == 1 ? EcrApiFault.ServerError : null;
        using var endpoint = new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", front.Endpoint.ToString()));
        var log = fixture.Mark();

        var result = await EcrTasks.EcrPushAsync(s => s
            .SetSourceImageName("rel-api-lost-create").SetSourceImageTag("1").SetRepositoryName(repository).EnableAutoCreateRepository()
            .SetTagMutability(TagMutability.Immutable).SetLifecyclePolicy(lifecycle));

        var creates = front.Calls.Where(c => c.Operation == "CreateRepository").ToList();
        Assert.Equal([(1, 500), (2, 400)], creates.Select(c => (c.Attempt, c.Status)));
        Assert.Equal([null, "RepositoryAlreadyExistsException"], creates.Select(c => c.ErrorType));
        Assert.True(result.FirstDestination.RepositoryCreated);
        Assert.Contains($"Created the repository {result.FirstDestination.RepositoryUri}", log.Text, StringComparison.Ordinal);
        var policy = await StackChecks.EcrApiAsync(Stack, Region, "GetLifecyclePolicy", $$"""{"repositoryName":"{{repository}}"}""");
        Assert.Contains("expire untagged", policy.GetProperty("lifecyclePolicyText").GetString(), StringComparison.Ordinal);
    }
}

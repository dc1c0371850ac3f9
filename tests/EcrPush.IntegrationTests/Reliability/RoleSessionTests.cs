using Ecr.Internal;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Role credentials and the token cache (issue 17, fault 4). moto answers STS's AssumeRole as it answers the ECR API;
/// an <see cref="EcrApiFront"/> before both (<c>AWS_ENDPOINT_URL_ECR</c> and <c>AWS_ENDPOINT_URL_STS</c>) counts what the
/// SDK's STS client and the ECR client send. A fresh front per test is a fresh endpoint, so no session or token of
/// another test is reused.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class RoleSessionTests(StackFixture fixture, ITestOutputHelper output)
{
    private const string Role = "arn:aws:iam::123456789012:role/ecr-pusher";

    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task Destinations_and_combined_pushes_with_a_role_cost_one_AssumeRole_per_region_and_one_token_per_registry()
    {
        await Stack.BuildImageAsync("it-role-session:1");
        var repository = StackChecks.NewRepository("role-session");
        foreach (var region in Stack.Regions)
        {
            await StackChecks.EcrApiAsync(Stack, region, "CreateRepository", $$"""{"repositoryName":"{{repository}}"}""");
        }

        // ECR's tokens live 12 hours; moto's say they expired in 2015, and such a token is never reused.
        await using var front = new EcrApiFront(Stack.EcrEndpoint) { TokenLifetime = TimeSpan.FromHours(12) };
        using var endpoints = new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", front.Endpoint.ToString()), ("AWS_ENDPOINT_URL_STS", front.Endpoint.ToString()));
        var log = fixture.Mark();
        EcrPushSettings Settings(EcrPushSettings settings) => settings
            .SetAwsAccessKeyId("AKIAROLESESSIONTEST1").SetAwsSecretAccessKey(AuditTrail.AddSecret("role-session-base-secret-access-key"))
            .SetAwsRoleArn(Role).SetAwsExternalId("role-session-test")
            .SetRegion("us-east-1").AddDestinations(new EcrDestination("eu-west-1"))
            .SetSourceImageName("it-role-session").SetSourceImageTag("1").SetRepositoryName(repository);

        // Three whole pushes at once, each to two regions: six connections.
        // As EcrTasks' combined overload runs them, each push reaching the regions' registries from this process (it copies the second region from the first).
        var results = await CombinedPush.RunAsync([.. Settings(new EcrPushSettings()).CombineWith(["1", "2", "3"], (push, tag) => push.SetTargetTags(tag))], 3, completeOnFailure: false, settings => SourceTools.PushAsync(Stack, settings), CancellationToken.None);

        Report(front);
        Assert.All(results, pushed => Assert.Equal(["us-east-1", "eu-west-1"], pushed.Result.Destinations.Select(d => d.Region)));
        Assert.Equal(["eu-west-1", "us-east-1"], Regions(front, "AssumeRole"));
        Assert.Equal(["eu-west-1", "us-east-1"], Regions(front, "GetAuthorizationToken"));
        Assert.Equal(6, log.Text.Split('\n').Count(line => line.Contains($"credentials from the role {Role} (session EcrPush-", StringComparison.Ordinal)));

        // A push that names its own session gets a session (and so a token) of its own; the others' stay as they were.
        await SourceTools.PushAsync(Stack, Settings(new EcrPushSettings()).SetAwsRoleSessionName("release-7").SetTargetTags("4"));

        Report(front);
        Assert.Equal(["eu-west-1", "eu-west-1", "us-east-1", "us-east-1"], Regions(front, "AssumeRole"));
        Assert.Equal(["eu-west-1", "eu-west-1", "us-east-1", "us-east-1"], Regions(front, "GetAuthorizationToken"));
        foreach (var region in Stack.Regions)
        {
            Assert.Equal(["1", "2", "3", "4"], await StackChecks.RegistryTagsAsync(Stack, region, repository));
        }
    }

    private static IEnumerable<string?> Regions(EcrApiFront front, string operation)
        => front.Calls.Where(call => call.Operation == operation).Select(call => call.Region).Order(StringComparer.Ordinal);

    private void Report(EcrApiFront front)
        => output.WriteLine(string.Join(", ", front.Calls.GroupBy(call => (call.Operation, call.Region)).Select(group => $"{group.Key.Operation} {group.Key.Region}: {group.Count()}")));
}

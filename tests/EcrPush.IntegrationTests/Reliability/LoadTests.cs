using System.Diagnostics;
using System.Globalization;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>Many pushes from one process at once, as a build that pushes every service in parallel does.</summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class LoadTests(StackFixture fixture, ITestOutputHelper output)
{
    private const int Pushes = 20;
    private const string East = "us-east-1";
    private const string West = "eu-west-1";

    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task Twenty_pushes_at_once_all_succeed_with_one_token_per_registry_and_creation_races_count_as_success()
    {
        await Stack.BuildImageAsync("rel-load-a:1", layers: 3, bytesPerLayer: 256 * 1024);
        await Stack.BuildImageAsync("rel-load-b:1", layers: 3, bytesPerLayer: 256 * 1024);
        var existing = StackChecks.NewRepository("load-old");
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("rel-load-a").SetSourceImageTag("1").SetRepositoryName(existing).SetTargetTags("seed").EnableAutoCreateRepository());

        // Five to a repository that exists, five racing to create one, five creating one each, five racing in the other region.
        var raced = StackChecks.NewRepository("load-race");
        var west = StackChecks.NewRepository("load-west");
        var plan = Enumerable.Range(0, Pushes).Select(i => i switch
        {
            < 5 => (Region: East, Repository: existing),
            < 10 => (Region: East, Repository: raced),
            < 15 => (Region: East, Repository: StackChecks.NewRepository("load-own")),
            _ => (Region: West, Repository: west),
        }).ToList();

        await using var front = new EcrApiFront(Stack.EcrEndpoint) { HoldCreatesUntil = 15, TokenLifetime = TimeSpan.FromHours(12) };
        using var endpoint = new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", front.Endpoint.ToString()));
        using var home = new TempHome();
        ResetPeakResidentSize();
        var residentBefore = ReadStatusKiB("VmRSS");
        var clock = Stopwatch.StartNew();

        var results = await Task.WhenAll(plan.Select((push, i) => EcrTasks.EcrPushAsync(s => s
            .SetRegion(push.Region).SetSourceImageName(i % 2 == 0 ? "rel-load-a" : "rel-load-b").SetSourceImageTag("1")
            .SetRepositoryName(push.Repository).SetTargetTags(string.Create(CultureInfo.InvariantCulture, $"t{i}")).EnableAutoCreateRepository())))
            .WaitAsync(TimeSpan.FromMinutes(2));

        clock.Stop();
        var peak = ReadStatusKiB("VmHWM");
        using var self = Process.GetCurrentProcess();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Pushes} pushes in {clock.Elapsed.TotalSeconds:0.00} s; resident {residentBefore / 1024.0:0} MiB before, peak {peak / 1024.0:0} MiB during (VmHWM); the process's peak working set {self.PeakWorkingSet64 / (1024.0 * 1024):0} MiB"));
        output.WriteLine("ECR calls: " + string.Join(", ", front.Calls.GroupBy(c => c.Operation).Select(g => $"{g.Key} {g.Count()}")));

        Assert.All(results, result => Assert.Matches("^sha256:[0-9a-f]{64}$", result.Digest));
        Assert.Equal(2, front.Count("GetAuthorizationToken"));
        Assert.Equal(0, results.Take(5).Count(r => r.FirstDestination.RepositoryCreated));
        foreach (var group in plan.Zip(results).Skip(5).GroupBy(pair => pair.First.Repository))
        {
            // Whoever lost the creation race found the repository made meanwhile and pushed to it.
            Assert.Equal(1, group.Count(pair => pair.Second.FirstDestination.RepositoryCreated));
        }

        var creates = front.Calls.Where(c => c.Operation == "CreateRepository").ToList();
        Assert.Equal(15, creates.Count);
        Assert.Equal(8, creates.Count(c => c.ErrorType == "RepositoryAlreadyExistsException"));

        foreach (var group in plan.Select((push, i) => (push, Tag: $"t{i}")).GroupBy(entry => entry.push))
        {
            var expected = group.Select(entry => entry.Tag).Concat(group.Key.Repository == existing ? ["seed"] : []).Order(StringComparer.Ordinal);
            Assert.Equal(expected, await StackChecks.RegistryTagsAsync(Stack, group.Key.Region, group.Key.Repository));
            Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Stack.RegistryHost(group.Key.Region)}/{group.Key.Repository}:"));
        }

        Assert.Empty(home.CredentialFiles(SecretScan.StackSecrets));

        // A later push reuses the token while it is valid.
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("rel-load-a").SetSourceImageTag("1").SetRepositoryName(existing).SetTargetTags("again"));
        Assert.Equal(2, front.Count("GetAuthorizationToken"));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_cached_token_past_its_expiry_is_fetched_again_not_reused()
    {
        await Stack.BuildImageAsync("rel-expired:1");
        var repository = StackChecks.NewRepository("expired");

        // moto's tokens say they expired in 2015.
        await using var front = new EcrApiFront(Stack.EcrEndpoint);
        using var endpoint = new EnvironmentScope(("AWS_ENDPOINT_URL_ECR", front.Endpoint.ToString()));

        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("rel-expired").SetSourceImageTag("1").SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository());
        await EcrTasks.EcrPushAsync(s => s.SetSourceImageName("rel-expired").SetSourceImageTag("1").SetRepositoryName(repository).SetTargetTags("2"));

        Assert.Equal(2, front.Count("GetAuthorizationToken"));
        Assert.Equal(["1", "2"], await StackChecks.RegistryTagsAsync(Stack, East, repository));
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM (the peak resident size) to the current size: the peak of what follows.</summary>
    private static void ResetPeakResidentSize() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long ReadStatusKiB(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}

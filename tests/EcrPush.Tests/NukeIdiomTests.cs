using Ecr.Internal;

namespace Ecr.Tests;

/// <summary>The Nuke idioms over the settings: conditional configuration and several pushes in one call.</summary>
public sealed class NukeIdiomTests
{
    private static readonly EcrPushSettings Base = new EcrPushSettings().SetSourceImageName("web:1.4.2").SetRepositoryName("team/web");

    [Fact]
    public void When_applies_its_change_only_when_the_condition_holds()
    {
        Assert.Equal(["1.4.2", "build-7"], Base.SetTargetTags("1.4.2").When(true, _ => _.AddTargetTags("build-7")).TargetTags);
        Assert.Equal(["1.4.2"], Base.SetTargetTags("1.4.2").When(false, _ => _.AddTargetTags("build-7")).TargetTags);
    }

    [Fact]
    public void A_configurator_that_returns_null_is_an_error_saying_what_to_return()
    {
        var exception = Assert.Throws<EcrPushException>(() => Base.When(true, _ => null!));

        Assert.Contains("returned null", exception.Message, StringComparison.Ordinal);
        Assert.Contains("return the settings it was given", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CombineWith_makes_one_settings_object_per_value_from_the_same_base()
    {
        var all = Base.SetTargetTags("1").CombineWith(["us-east-1", "eu-west-1"], (_, region) => _.SetRegion(region)).ToList();

        Assert.Equal(["us-east-1", "eu-west-1"], all.Select(s => s.Region));
        Assert.All(all, s => Assert.Equal(("web:1.4.2", "team/web", "1"), (s.SourceImageName, s.RepositoryName, s.TargetTags.Single())));
    }

    [Fact]
    public async Task Combined_pushes_run_at_most_the_degree_of_parallelism_at_once_and_keep_their_order()
    {
        var running = 0;
        var most = 0;
        var all = Base.CombineWith(Enumerable.Range(1, 6), (_, i) => _.SetTargetTags(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var results = await CombinedPush.RunAsync(all, 2, async settings =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(30);
            Interlocked.Decrement(ref running);
            return Result($"h/team/web:{settings.TargetTags[0]}");
        }, CancellationToken.None);

        Assert.Equal(2, most);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"h/team/web:{i}"), results.Select(r => r.ImageReference));
    }

    [Fact]
    public async Task A_failed_push_lets_the_others_finish_and_the_error_names_it_and_what_was_pushed()
    {
        var all = Base.CombineWith(["a/one", "a/two", "a/three"], (_, repository) => _.SetRepositoryName(repository)).ToList();
        var finished = new List<string>();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CombinedPush.RunAsync(all, 3, async settings =>
        {
            await Task.Delay(settings.RepositoryName == "a/two" ? 1 : 50);
            if (settings.RepositoryName == "a/two")
            {
                throw new EcrPushException("The ECR repository a/two does not exist.");
            }

            lock (finished)
            {
                finished.Add(settings.RepositoryName!);
            }

            return Result($"h/{settings.RepositoryName}:latest");
        }, CancellationToken.None));

        Assert.Equal(["a/one", "a/three"], finished.Order(StringComparer.Ordinal));
        Assert.StartsWith("1 of 3 pushes failed. [push 2 of 3, a/two: The ECR repository a/two does not exist.]", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith("Pushed: h/a/one:latest, h/a/three:latest.", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_values_to_combine_is_an_error_not_a_silent_success()
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(_ => _.CombineWith(Array.Empty<string>(), (_, r) => _.SetRegion(r))));

        Assert.Contains("CombineWith was given no values", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_combined_pushes_throws_the_cancellation()
    {
        using var cancellation = new CancellationTokenSource();
        var all = Base.CombineWith([1, 2], (_, i) => _.SetTargetTags($"t{i}")).ToList();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CombinedPush.RunAsync(all, 1, async _ =>
        {
            await cancellation.CancelAsync();
            cancellation.Token.ThrowIfCancellationRequested();
            return Result("never");
        }, cancellation.Token));
    }

    private static EcrPushResult Result(string reference) => new([new EcrPushedImage
    {
        ImageReferences = [reference], Digest = "sha256:00", RepositoryUri = reference[..reference.LastIndexOf(':')],
        RegistryId = "123456789012", Region = "us-east-1", RepositoryCreated = false,
    }]);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

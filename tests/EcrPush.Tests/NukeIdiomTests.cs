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
    public void The_combinatorial_overloads_default_as_Nukes_do_one_at_a_time_stopping_at_a_failure()
    {
        var overloads = typeof(EcrTasks).GetMethods().Where(m => m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Func<EcrPushSettings, IEnumerable<EcrPushSettings>>)).ToList();

        Assert.Equal(2, overloads.Count);
        Assert.All(overloads, overload =>
        {
            Assert.Equal(1, overload.GetParameters().Single(p => p.Name == "degreeOfParallelism").DefaultValue);
            Assert.Equal(false, overload.GetParameters().Single(p => p.Name == "completeOnFailure").DefaultValue);
        });
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 6)]
    public async Task Combined_pushes_run_at_most_the_degree_of_parallelism_at_once_and_return_settings_and_result_in_order(int degreeOfParallelism, int count)
    {
        var running = 0;
        var most = 0;
        var all = Base.CombineWith(Enumerable.Range(1, count), (_, i) => _.SetTargetTags(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var pushed = await CombinedPush.RunAsync(all, degreeOfParallelism, completeOnFailure: false, async settings =>
        {
            InterlockedMax(ref most, Interlocked.Increment(ref running));
            await Task.Delay(30);
            Interlocked.Decrement(ref running);
            return Result($"h/team/web:{settings.TargetTags[0]}");
        }, CancellationToken.None);

        Assert.Equal(degreeOfParallelism, most);
        Assert.Equal(all, pushed.Select(p => p.Settings));
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"h/team/web:{i}"), pushed.Select(p => p.Result.ImageReference));
    }

    [Fact]
    public async Task By_default_no_push_starts_after_a_failure_and_the_error_names_it_what_landed_and_what_did_not_start()
    {
        var all = Base.CombineWith(["a/one", "a/two", "a/three"], (_, repository) => _.SetRepositoryName(repository)).ToList();
        var started = new List<string>();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CombinedPush.RunAsync(all, 1, completeOnFailure: false, settings => Push(settings, started), CancellationToken.None));

        Assert.Equal(["a/one", "a/two"], started);
        Assert.Equal(
            """
            1 of 3 pushes failed; the 1 after the first failure did not start (completeOnFailure is off):
              - push 2 of 3, a/two: The ECR repository a/two does not exist.
              Pushed:
                h/a/one:latest
                h/a/two:1
            """.ReplaceLineEndings(), exception.Message);
        Assert.Equal(["h/a/one:latest", "h/a/two:1"], exception.Landed.Select(image => image.ImageReference));
        Assert.Equal("The ECR repository a/two does not exist.", exception.InnerException?.Message);
    }

    [Fact]
    public async Task With_completeOnFailure_every_push_runs_and_Landed_holds_the_others_results_and_what_a_failed_one_left()
    {
        var all = Base.CombineWith(["a/one", "a/two", "a/three"], (_, repository) => _.SetRepositoryName(repository).SetRegion("eu-west-1")).ToList();
        var started = new List<string>();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CombinedPush.RunAsync(all, 1, completeOnFailure: true, settings => Push(settings, started), CancellationToken.None));

        Assert.Equal(["a/one", "a/two", "a/three"], started);
        Assert.Equal(
            """
            1 of 3 pushes failed:
              - push 2 of 3, a/two in eu-west-1: The ECR repository a/two does not exist.
              Pushed:
                h/a/one:latest
                h/a/two:1
                h/a/three:latest
            """.ReplaceLineEndings(), exception.Message);
        Assert.Equal(["h/a/one:latest", "h/a/two:1", "h/a/three:latest"], exception.Landed.Select(image => image.ImageReference));
    }

    [Fact]
    public async Task One_push_alone_fails_with_its_own_error()
    {
        var failure = new EcrPushException("The ECR repository a/two does not exist.");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => CombinedPush.RunAsync([Base], 1, completeOnFailure: false, _ => Task.FromException<EcrPushResult>(failure), CancellationToken.None));

        Assert.Same(failure, exception);
    }

    // a/two fails, reporting that its tag 1 had landed (as the destination step fills Landed); the others succeed.
    private static async Task<EcrPushResult> Push(EcrPushSettings settings, List<string> started)
    {
        started.Add(settings.RepositoryName!);
        await Task.Yield();
        if (settings.RepositoryName == "a/two")
        {
            throw new EcrPushException("The ECR repository a/two does not exist.") { Landed = [Result("h/a/two:1").FirstDestination] };
        }

        return Result($"h/{settings.RepositoryName}:latest");
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

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CombinedPush.RunAsync(all, 1, completeOnFailure: false, async _ =>
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

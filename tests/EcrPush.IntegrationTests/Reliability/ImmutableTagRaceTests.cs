using System.Net.Http.Headers;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Another writer that takes an immutable tag between EcrPush's check of it and its manifest PUT: the registry
/// refuses the PUT (as ECR's does), and the push fails with the same clear error as when the check sees it.
/// The writer acts through <see cref="RegistryFront"/>, at the moment our manifest PUT reaches it.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ImmutableTagRaceTests : IClassFixture<FrontedStackFixture>, IDisposable
{
    private readonly FrontedStackFixture _fronted;
    private readonly ITestOutputHelper _output;

    public ImmutableTagRaceTests(FrontedStackFixture fronted, ITestOutputHelper output)
    {
        _fronted = fronted;
        _output = output;
        Front.Reset();
    }

    private RegistryFront Front => _fronted.Front;

    public void Dispose() => Front.Reset();

    [Fact]
    public async Task A_writer_that_wins_between_the_check_and_the_PUT_gets_the_registrys_refusal_turned_into_the_clear_error()
    {
        var stack = _fronted.Stack;
        var ours = await stack.BuildImageAsync("race-ours:1");
        var theirs = await stack.BuildImageAsync("race-theirs:1");
        var repository = StackChecks.NewRepository("race");
        var settings = _fronted.Settings("race-theirs", repository).SetTagMutability(TagMutability.Immutable).SetTargetTags("theirs");
        var other = await EcrTasks.EcrPushAsync(settings);

        // The other writer puts its image under tag 1 the moment our manifest PUT for tag 1 arrives, after our check.
        using var registry = stack.CreateRegistryClient(FrontedStackFixture.Region);
        var raced = 0;
        Front.BeforeForward = async request =>
        {
            if (request.IsManifestPut && request.Path.EndsWith("/manifests/1", StringComparison.Ordinal) && Interlocked.Exchange(ref raced, 1) == 0)
            {
                var (manifest, mediaType) = await ImmutableTagTests.GetManifestAsync(registry, repository, "theirs");
                using var put = new ByteArrayContent(manifest);
                put.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                using var response = await registry.PutAsync(new Uri($"v2/{repository}/manifests/1", UriKind.Relative), put);
                response.EnsureSuccessStatusCode();
            }
        };

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(settings.SetSourceImageName("race-ours").SetTargetTags("1")));

        _output.WriteLine(exception.ToString());
        Assert.Equal(1, raced);
        Assert.Contains($"The repository {other.FirstDestination.RepositoryUri} has IMMUTABLE tags, and this tag already holds another image: 1 holds {other.Digest} (image {theirs})", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"This image is {ours}. Another push wrote it after this push had checked it, and the registry refused this one.", exception.Message, StringComparison.Ordinal);
        Assert.EndsWith($"Nothing was tagged in {other.FirstDestination.RepositoryUri}.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("tag invalid: The image tag '1' already exists", exception.InnerException!.Message, StringComparison.Ordinal);
        var refused = stack.RegistryRequests(FrontedStackFixture.Region).Last(r => r.IsManifestPut && r.Target.EndsWith($"{repository}/manifests/1", StringComparison.Ordinal));
        Assert.Equal(400, refused.Status);
        Assert.Empty(await StackChecks.EngineTagsForAsync(stack, $"{other.FirstDestination.RepositoryUri}:"));
    }
}

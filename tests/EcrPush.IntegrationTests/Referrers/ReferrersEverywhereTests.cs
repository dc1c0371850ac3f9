using System.Net;
using Ecr.IntegrationTests.Reliability;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;
using static Ecr.IntegrationTests.Referrers.ReferrerChecks;

namespace Ecr.IntegrationTests.Referrers;

/// <summary>
/// What issue 18 must show: an engine image pushed with an SBOM to two regions and promoted to a third repository ends
/// with the same referrer digests listed for the image in every place: by the referrers API where the registry serves
/// it (ECR's registry, as the fronts answer), and by the tag schema on docker-registry, which serves no API.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class ReferrersEverywhereTests(StackFixture fixture) : IDisposable
{
    private static readonly string[] Regions = ["us-east-1", "eu-west-1"];
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task An_SBOM_pushed_to_two_regions_and_promoted_to_a_third_repository_is_listed_with_the_same_digest_in_every_place()
    {
        await Stack.BuildImageAsync("it-everywhere:1", layers: 2);
        var sbom = Sbom(_folders.New("everywhere"));

        // ECR's way: the referrers API, answered by the fronts, which see every request of the library (the engine
        // pushes the first region's image straight to its registry; its referrer, the copy and the promotion go through them).
        await using var east = new EcrRegistryFront(Stack, Regions[0]) { ServesReferrersApi = true };
        await using var west = new EcrRegistryFront(Stack, Regions[1]) { ServesReferrersApi = true };
        var fronts = new Dictionary<string, IPEndPoint>(StringComparer.OrdinalIgnoreCase) { [Stack.RegistryHost(Regions[0])] = east.EndPoint, [Stack.RegistryHost(Regions[1])] = west.EndPoint };
        var (api, apiPromoted, apiReferrer) = await PushAndPromoteAsync("api", sbom, settings => SourceTools.PushThroughAsync(Stack, fronts, settings));

        foreach (var (region, repository, front) in new[] { (Regions[0], api, east), (Regions[1], api, west), (Regions[0], $"{api}-promoted", east) })
        {
            var (referrers, listedBy) = await Stack.ReferrersAsync(region, repository, apiPromoted.Digest, front.EndPoint);
            Assert.Equal("the referrers API", listedBy);
            Assert.Equal([(apiReferrer, EcrAttachment.CycloneDxJson)], referrers);
        }

        foreach (var (region, repository) in new[] { (Regions[0], api), (Regions[1], api), (Regions[0], $"{api}-promoted") })
        {
            Assert.Empty(await TagSchemaAsync(Stack, region, repository, apiPromoted.Digest));
        }

        // docker-registry's way: the tag schema, read from the registry itself.
        var (tags, tagsPromoted, tagsReferrer) = await PushAndPromoteAsync("tags", sbom, settings => SourceTools.PushAsync(Stack, settings));

        foreach (var (region, repository) in new[] { (Regions[0], tags), (Regions[1], tags), (Regions[0], $"{tags}-promoted") })
        {
            var (referrers, listedBy) = await Stack.ReferrersAsync(region, repository, tagsPromoted.Digest);
            Assert.Equal("the tag schema (the referrers API answered 404)", listedBy);
            Assert.Equal([(tagsReferrer, EcrAttachment.CycloneDxJson)], referrers);
        }
    }

    /// <summary>
    /// Pushes the engine image with the SBOM to both regions, then promotes it to a third repository, the copy reading
    /// the referrers from the first; returns the repository, the promotion's result and the one referrer digest, having
    /// checked that every destination's result names that digest.
    /// </summary>
    private static async Task<(string Repository, EcrPushResult Promoted, string Referrer)> PushAndPromoteAsync(string name, EcrAttachment sbom, Func<EcrPushSettings, Task<EcrPushResult>> push)
    {
        var repository = StackChecks.NewRepository($"everywhere-{name}");
        var pushed = await push(new EcrPushSettings()
            .SetRegion(Regions[0]).AddDestinations(new EcrDestination(Regions[1]))
            .SetSourceImageName("it-everywhere:1").SetRepositoryName(repository).SetTargetTags("1.0").EnableAutoCreateRepository()
            .AddAttachments(sbom));
        var promoted = await push(new EcrPushSettings()
            .SetRegion(Regions[0]).SetSourceRepositoryName(repository).SetSourceImageTag("1.0")
            .SetRepositoryName($"{repository}-promoted").SetTargetTags("1.0").EnableAutoCreateRepository());

        var referrer = Assert.Single(pushed.Destinations[0].Referrers);
        Assert.Equal(referrer, Assert.Single(pushed.Destinations[1].Referrers));
        Assert.Equal(referrer, Assert.Single(promoted.FirstDestination.Referrers));
        Assert.Equal((pushed.Digest, pushed.Digest), (promoted.Digest, referrer.Subject));
        return (repository, promoted, referrer.Digest);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Ecr.IntegrationTests.Sources;
using Ecr.TestStack;
using static Ecr.IntegrationTests.Referrers.ReferrerChecks;

namespace Ecr.IntegrationTests.Referrers;

/// <summary>
/// Referrers on docker-registry 2.8, which serves no referrers API: the OCI referrers tag schema, for real. An SBOM pushed
/// with an image is listed under <c>sha256-&lt;hex&gt;</c>, another attached later joins it, the same pushed again adds
/// nothing, and a copy to the other region carries both with their digests and lists them there.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class TagSchemaReferrerTests(StackFixture fixture) : IDisposable
{
    private const string Region = "us-east-1";
    private const string OtherRegion = "eu-west-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task An_SBOM_is_listed_under_the_tag_schema_merged_with_a_later_one_never_twice_and_carried_by_a_copy_to_the_other_region()
    {
        var folder = _folders.New("tagschema");
        var layout = Path.Combine(folder, "oci");
        await TestLayout.WriteAsync(layout, "1", 64 * 1024);
        var repository = StackChecks.NewRepository("tagschema");
        var sbom = Sbom(folder);
        var provenance = Sbom(folder, "provenance.json", EcrAttachment.InTotoJson);
        EcrPushSettings Settings() => new EcrPushSettings().SetRegion(Region).SetSourceOciLayout($"{layout}:1").SetRepositoryName(repository).SetTargetTags("1.0").EnableAutoCreateRepository();

        var pushed = await SourceTools.PushAsync(Stack, Settings().AddAttachments(sbom));

        var sbomReferrer = Assert.Single(pushed.FirstDestination.Referrers);
        Assert.Equal((HttpStatusCode.NotFound, pushed.Digest), ((await GetAsync(Stack, Region, $"v2/{repository}/referrers/{pushed.Digest}", OciIndex)).Status, sbomReferrer.Subject));
        Assert.Equal([sbomReferrer.Digest], await TagSchemaAsync(Stack, Region, repository, pushed.Digest));
        var artifact = await ManifestAsync(Stack, Region, repository, sbomReferrer.Digest);
        Assert.Equal((EcrAttachment.CycloneDxJson, pushed.Digest), ((string)artifact["artifactType"]!, (string)artifact["subject"]!["digest"]!));

        var later = await SourceTools.PushAsync(Stack, Settings().AddAttachments(provenance));
        var again = await SourceTools.PushAsync(Stack, Settings().AddAttachments(sbom, provenance));

        var provenanceReferrer = Assert.Single(later.FirstDestination.Referrers);
        Assert.Equal([sbomReferrer.Digest, provenanceReferrer.Digest], await TagSchemaAsync(Stack, Region, repository, pushed.Digest));
        Assert.Equal([sbomReferrer, provenanceReferrer], again.FirstDestination.Referrers);
        Assert.Equal(["1.0", $"sha256-{pushed.Digest[7..]}"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));

        var copied = await SourceTools.PushAsync(Stack, new EcrPushSettings()
            .SetRegion(OtherRegion).SetSourceRegion(Region).SetSourceRepositoryName(repository).SetSourceImageTag("1.0")
            .SetRepositoryName(repository).SetTargetTags("1.0").EnableAutoCreateRepository());

        Assert.Equal(pushed.Digest, copied.Digest);
        Assert.Equal(new[] { sbomReferrer.Digest, provenanceReferrer.Digest }.Order(StringComparer.Ordinal), copied.FirstDestination.Referrers.Select(r => r.Digest).Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { sbomReferrer.Digest, provenanceReferrer.Digest }.Order(StringComparer.Ordinal),
            (await TagSchemaAsync(Stack, OtherRegion, repository, pushed.Digest)).Order(StringComparer.Ordinal));
        Assert.Equal((string)artifact["layers"]![0]!["digest"]!, (string)(await ManifestAsync(Stack, OtherRegion, repository, sbomReferrer.Digest))["layers"]![0]!["digest"]!);
    }
}

using Ecr.Internal;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Referrers;

/// <summary>Every way an attachment, IncludeReferrers or the signing wait can be wrong is one named problem, found before any network call.</summary>
public sealed class AttachmentSettingsTests : IDisposable
{
    private readonly AttachedFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static EcrPushSettings Layout => new EcrPushSettings().SetSourceImageName("web:1").SetRepositoryName("team/web");

    private static EcrPushException Invalid(EcrPushSettings settings) => Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings));

    [Fact]
    public Task Each_bad_attachment_is_one_problem_that_names_the_file_the_rule_and_the_fix()
    {
        var sbom = _files.Sbom();
        var empty = _files.Write("empty.json", string.Empty);
        var settings = Layout.SetAttachments(
            sbom,
            new EcrAttachment(Path.Combine(_files.Folder, "missing.cdx.json"), EcrAttachment.CycloneDxJson),
            new EcrAttachment(_files.Folder, EcrAttachment.CycloneDxJson),
            new EcrAttachment(empty, EcrAttachment.SpdxJson),
            sbom with { ArtifactType = "application/vnd.dev.sigstore.bundle+json;version=0.2" },
            sbom with { ArtifactType = "cyclonedx" },
            sbom with { ArtifactType = "sbom/cyclonedx" },
            sbom with { ArtifactType = " " },
            sbom,
            new EcrAttachment(" ", EcrAttachment.SpdxJson));

        var exception = Invalid(settings);

        Assert.Equal(9, exception.Problems.Count);
        return Verify(exception.Message.Replace(_files.Folder, "{AttachedFiles}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_good_attachment_is_checked_once_with_its_digest_size_and_time()
    {
        var sbom = _files.Sbom();

        var file = Assert.Single(SettingsValidator.Validate(Layout.AddAttachments(sbom)).Referrers.Attachments);

        Assert.Equal((sbom.Path, EcrAttachment.CycloneDxJson, new FileInfo(sbom.Path).Length), (file.Path, file.ArtifactType, file.Size));
        Assert.Equal(Ecr.Internal.Images.Sha256.OfFile(sbom.Path), file.Digest);
        Assert.Equal(new DateTimeOffset(AttachedFiles.Written), file.Created);
    }

    [Fact]
    public void Turning_referrers_off_for_an_engine_image_and_a_signing_timeout_without_the_wait_are_named()
    {
        var exception = Invalid(Layout.DisableIncludeReferrers().SetSigningTimeout(TimeSpan.FromHours(2)));

        Assert.Equal(
            [
                "IncludeReferrers is off, but the source is the Docker engine, whose images carry no referrers:\nreset it (attached files go with the image either way), or set SourceOciLayout, SourceImageArchive or SourceRepositoryName.",
                "SigningTimeout is set, but WaitForSigning is off: EnableWaitForSigning() to wait for ECR's managed signing, or reset SigningTimeout.",
                "SigningTimeout is 02:00:00; it must be more than 0 and at most 1 hour. Reset it for the default, 5 minutes.",
            ],
            exception.Problems);
        Assert.Equal(TimeSpan.FromMinutes(5), SettingsValidator.Validate(Layout.EnableWaitForSigning()).Referrers.SigningTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), SettingsValidator.Validate(Layout.EnableWaitForSigning().SetSigningTimeout(TimeSpan.FromSeconds(30))).Referrers.SigningTimeout);
        Assert.False(SettingsValidator.Validate(Layout.SetSourceImageName(null).SetSourceRepositoryName("team/rc").DisableIncludeReferrers()).EcrSource().IncludeReferrers);
    }

    [Fact]
    public async Task A_bad_attachment_stops_the_push_before_any_call()
    {
        var ecr = new FakeEcr();
        var environment = new FakeEnvironment();
        var pusher = new Pusher(ecr, _ => throw new InvalidOperationException("no engine"), new Ecr.Internal.Aws.EcrApi.TokenCache(environment), environment, new RecordingLog());

        await Assert.ThrowsAsync<EcrPushException>(() => pusher.PushAsync(Layout.AddAttachments(_files.Sbom() with { ArtifactType = "application/spdx+json; charset=utf-8" }), CancellationToken.None));

        Assert.Equal((0, 0, 0), (ecr.TokenCalls, ecr.DescribeCalls, ecr.SigningConfigurationCalls));
    }
}

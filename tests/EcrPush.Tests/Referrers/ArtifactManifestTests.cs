using System.Text;
using Ecr.Internal;
using Ecr.Internal.Images;

namespace Ecr.Tests.Referrers;

/// <summary>The artifact manifest EcrPush writes for an attached file: its bytes are pinned, and each part is the one the OCI image spec 1.1 and oras write.</summary>
public sealed class ArtifactManifestTests : IDisposable
{
    private const string Subject = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly AttachedFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static AttachedFile Checked(EcrAttachment attachment)
        => SettingsValidator.Validate(new EcrPushSettings().SetSourceImageName("web").SetRepositoryName("team/web").AddAttachments(attachment)).Referrers.Attachments.Single();

    [Fact]
    public Task The_artifact_manifest_of_an_SBOM_is_as_verified()
    {
        var file = Checked(_files.Sbom());

        var artifact = ArtifactManifests.For(file, new Descriptor(MediaTypes.OciIndex, Subject, 1234));

        return Verify(Encoding.UTF8.GetString(artifact.Root.Bytes));
    }

    [Fact]
    public void Its_config_is_the_empty_descriptor_of_the_OCI_image_spec_its_layer_the_file_and_its_subject_the_pushed_manifest()
    {
        var file = Checked(_files.Sbom());

        var artifact = ArtifactManifests.For(file, new Descriptor(MediaTypes.OciManifest, Subject, 567));

        // image-spec v1.1.0 manifest.md, "Guidance for an Empty Descriptor": {} is this digest, 2 bytes.
        Assert.Equal(new Descriptor("application/vnd.oci.empty.v1+json", "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", 2), artifact.Root.Config);
        Assert.Equal([new Descriptor(EcrAttachment.CycloneDxJson, Sha256.OfFile(file.Path), new FileInfo(file.Path).Length)], artifact.Root.Layers);
        Assert.Equal(new Descriptor(MediaTypes.OciManifest, Subject, 567), artifact.Root.Subject);
        Assert.Equal(EcrAttachment.CycloneDxJson, artifact.Root.ArtifactType);
        Assert.Equal(Sha256.Of(artifact.Root.Bytes), artifact.Root.Digest);
        Assert.Equal(["sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", file.Digest], artifact.Root.AllBlobs.Select(b => b.Digest));
    }

    [Fact]
    public void The_same_file_makes_the_same_manifest_and_a_file_written_again_another()
    {
        var first = ArtifactManifests.For(Checked(_files.Sbom()), new Descriptor(MediaTypes.OciManifest, Subject, 567)).Root.Digest;
        var again = ArtifactManifests.For(Checked(_files.Sbom()), new Descriptor(MediaTypes.OciManifest, Subject, 567)).Root.Digest;
        var sbom = _files.Sbom();
        File.SetLastWriteTimeUtc(sbom.Path, AttachedFiles.Written.AddMinutes(1));
        var rewritten = ArtifactManifests.For(Checked(sbom), new Descriptor(MediaTypes.OciManifest, Subject, 567)).Root.Digest;

        Assert.Equal(first, again);
        Assert.NotEqual(first, rewritten);
    }
}

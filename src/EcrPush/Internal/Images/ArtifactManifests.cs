using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.Internal.Images;

/// <summary>
/// A file to attach to the pushed image, as the settings check found it: its full path, its artifact type, its digest
/// and size, and when it was last written, which is its <c>org.opencontainers.image.created</c>: the same file gives the
/// same artifact manifest on every push, so that a push made again adds nothing.
/// </summary>
internal sealed record AttachedFile(string Path, string ArtifactType, string Digest, long Size, DateTimeOffset Created)
{
    public Descriptor Layer => new(ArtifactType, Digest, Size);

    public override string ToString() => $"{Path} ({ArtifactType})";
}

/// <summary>
/// The artifact manifests EcrPush writes, as the OCI image spec 1.1 guides artifacts ("Guidelines for Artifact Usage",
/// the empty descriptor) and as <c>oras attach</c> writes them: an image manifest with an <c>artifactType</c>, the empty
/// config (<c>{}</c>, its bytes also inline as <c>data</c>), the file as its one layer titled with its name, the image as
/// its <c>subject</c>, and when the file was made. Also what a referrers index lists for a referrer, and the rule for
/// the media types ECR takes.
/// </summary>
internal static partial class ArtifactManifests
{
    public const string TitleAnnotation = "org.opencontainers.image.title";
    public const string CreatedAnnotation = "org.opencontainers.image.created";

    private static readonly byte[] EmptyJson = "{}"u8.ToArray();

    /// <summary>The empty config: <c>{}</c>, <c>sha256:44136fa3…</c>, 2 bytes.</summary>
    public static Descriptor EmptyConfig { get; } = new(MediaTypes.OciEmpty, Sha256.Of(EmptyJson), EmptyJson.Length);

    /// <summary>The artifact manifest of <paramref name="file"/> about <paramref name="subject"/>, with its blobs (the empty config and the file).</summary>
    public static ImageGraph For(AttachedFile file, Descriptor subject)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(subject);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["artifactType"] = file.ArtifactType,
            ["config"] = new JsonObject
            {
                ["mediaType"] = EmptyConfig.MediaType,
                ["digest"] = EmptyConfig.Digest,
                ["size"] = EmptyConfig.Size,
                ["data"] = Convert.ToBase64String(EmptyJson),
            },
            ["layers"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = file.ArtifactType,
                ["digest"] = file.Digest,
                ["size"] = file.Size,
                ["annotations"] = new JsonObject { [TitleAnnotation] = System.IO.Path.GetFileName(file.Path) },
            }),
            ["subject"] = new JsonObject { ["mediaType"] = subject.MediaType, ["digest"] = subject.Digest, ["size"] = subject.Size },
            ["annotations"] = new JsonObject { [CreatedAnnotation] = file.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
        };
        var bytes = ManifestJson.Write(manifest);
        var root = new ImageManifest(MediaTypes.OciManifest, bytes, Sha256.Of(bytes), EmptyConfig, [file.Layer], []) { Subject = subject, ArtifactType = file.ArtifactType };
        return new ImageGraph(root, new AttachedFileBlobs(file));
    }

    /// <summary>What a referrer is called in the result and the log: its artifactType, else its config's media type (as a referrers index lists it).</summary>
    public static string TypeOf(ImageManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.ArtifactType ?? manifest.Config?.MediaType ?? manifest.MediaType;
    }

    public static EcrPushedReferrer Pushed(ImageManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new EcrPushedReferrer(manifest.Digest, TypeOf(manifest), manifest.Subject?.Digest ?? string.Empty);
    }

    /// <summary>
    /// A referrer's descriptor in a referrers index (OCI distribution spec 1.1, "Referrers Tag Schema" and "Listing
    /// Referrers"): media type, digest, size, its artifactType (else its config's media type), and its annotations.
    /// </summary>
    public static JsonObject IndexEntry(ImageManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var entry = new JsonObject { ["mediaType"] = manifest.MediaType, ["digest"] = manifest.Digest, ["size"] = manifest.Bytes.LongLength, ["artifactType"] = TypeOf(manifest) };
        using var document = JsonDocument.Parse(manifest.Bytes);
        if (document.RootElement.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object)
        {
            entry["annotations"] = JsonNode.Parse(annotations.GetRawText());
        }

        return entry;
    }

    /// <summary>
    /// A media type as the OCI image spec takes it for <c>mediaType</c> and <c>artifactType</c> (RFC 6838: type/subtype of
    /// restricted names, no parameters; opencontainers/image-spec#1182 gives this form).
    /// </summary>
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\z", RegexOptions.CultureInvariant)]
    public static partial Regex MediaType();

    /// <summary>
    /// Why ECR would refuse a media type in an artifact manifest, or null when it takes it: ECR refuses one with
    /// parameters (<c>;version=0.2</c>, as Sigstore's older bundle type has; sigstore-js#1058, aws/containers-roadmap#2306).
    /// </summary>
    public static string? EcrRefusal(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        return mediaType.Contains(';', StringComparison.Ordinal)
            ? $"ECR refuses a media type with parameters (the part after ';'), in artifactType and in a layer's mediaType alike: give the type without them{(mediaType.StartsWith("application/vnd.dev.sigstore.bundle", StringComparison.Ordinal) ? $", e.g. {EcrAttachment.SigstoreBundle} for a Sigstore bundle" : string.Empty)}"
            : null;
    }

    /// <summary>The attached file's blobs: the empty config from memory, the file from disk, its digest checked as it uploads.</summary>
    private sealed class AttachedFileBlobs(AttachedFile file) : IBlobSource
    {
        public BlobLocation? Location => null;

        public Task<Stream> OpenAsync(Descriptor blob, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(blob);
            return Task.FromResult<Stream>(blob.Digest == EmptyConfig.Digest
                ? new MemoryStream(EmptyJson, writable: false)
                : new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
        }

        public string WrongSize(Descriptor blob, long read)
            => $"The attached file {file.Path} is {read} bytes now, not the {blob.Size} it was when the push began: it changed during the push. Push again once it is written.";

        public string WrongDigest(Descriptor blob, string actual)
            => $"The attached file {file.Path} is {actual} now, not {blob.Digest} as when the push began: it changed during the push. Push again once it is written.";
    }
}

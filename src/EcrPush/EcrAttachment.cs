namespace Ecr;

/// <summary>
/// A file to attach to the pushed image: an SBOM, an in-toto statement, a signature bundle, any file. It goes up after
/// the image, to every destination, as an OCI 1.1 artifact manifest whose <c>subject</c> is the pushed manifest (the
/// index, for a multi-platform image), so that <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>, <c>oras discover</c>
/// and the verifiers find it, and ECR's replication and lifecycle rules take it along with the image.
/// </summary>
/// <param name="Path">The file, e.g. <c>artifacts/sbom.cdx.json</c>; a relative path is read from the current directory.</param>
/// <param name="ArtifactType">
/// Its media type, which is the artifact's type too: <see cref="CycloneDxJson"/>, <see cref="SpdxJson"/>,
/// <see cref="InTotoJson"/>, <see cref="SigstoreBundle"/>, or any other <c>type/subtype</c> without parameters (ECR refuses
/// a <c>;</c>).
/// </param>
public sealed record EcrAttachment(string Path, string ArtifactType)
{
    /// <summary>A CycloneDX SBOM in JSON, as the CycloneDX .NET tool writes it.</summary>
    public const string CycloneDxJson = "application/vnd.cyclonedx+json";

    /// <summary>An SPDX SBOM in JSON, as Microsoft's sbom-tool and syft write it.</summary>
    public const string SpdxJson = "application/spdx+json";

    /// <summary>An in-toto statement (SLSA provenance, a predicate of your own), as JSON.</summary>
    public const string InTotoJson = "application/vnd.in-toto+json";

    /// <summary>A Sigstore bundle (v0.3), as cosign and the GitHub attest actions write it.</summary>
    public const string SigstoreBundle = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /// <summary>Returns <c>path (type)</c>, for messages.</summary>
    public override string ToString() => $"{Path} ({ArtifactType})";
}

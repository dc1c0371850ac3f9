namespace Ecr;

/// <summary>
/// A referrer of the pushed image in one destination: a manifest whose <c>subject</c> is the image (or one of its
/// platforms' manifests, or another referrer), such as a file attached by the push, or a signature, SBOM or attestation
/// the source held. The registry lists it at <c>/v2/&lt;name&gt;/referrers/&lt;subject&gt;</c> (or, where it has no such
/// API, under the tag <c>sha256-&lt;hex&gt;</c>).
/// </summary>
/// <param name="Digest">The referrer's manifest digest, <c>sha256:…</c>; the same in every destination.</param>
/// <param name="ArtifactType">Its artifact type, e.g. <c>application/vnd.cyclonedx+json</c> (its config's media type when it has none).</param>
/// <param name="Subject">The digest of the manifest it refers to.</param>
public sealed record EcrPushedReferrer(string Digest, string ArtifactType, string Subject);

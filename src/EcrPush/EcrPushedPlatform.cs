namespace Ecr;

/// <summary>One platform's manifest of a pushed image index.</summary>
/// <param name="Platform">os/architecture[/variant], e.g. <c>linux/arm64/v8</c>; <c>unknown/unknown</c> for an attestation.</param>
/// <param name="Digest">The manifest's digest, <c>sha256:…</c>.</param>
public sealed record EcrPushedPlatform(string Platform, string Digest);

namespace Ecr;

/// <summary>What a push did: the references it pushed and where.</summary>
public sealed record EcrPushResult
{
    /// <summary>The first pushed reference, <c>registry/repository:tag</c>: what <see cref="EcrPushSettings.OutputVariable"/> is set to.</summary>
    public required string ImageReference { get; init; }

    /// <summary>Every pushed reference, one per target tag, in the order of <see cref="EcrPushSettings.TargetTags"/>.</summary>
    public required IReadOnlyList<string> ImageReferences { get; init; }

    /// <summary>The manifest digest the registry reported, <c>sha256:…</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The repository URI, <c>registry/repository</c>.</summary>
    public required string RepositoryUri { get; init; }

    /// <summary>The AWS account ID of the registry.</summary>
    public required string RegistryId { get; init; }

    /// <summary>The AWS region pushed to.</summary>
    public required string Region { get; init; }

    /// <summary>Whether this push created the repository.</summary>
    public required bool RepositoryCreated { get; init; }

    /// <summary>
    /// One result per destination, in the order of the settings: the first is the one <see cref="EcrPushSettings.Region"/>
    /// and <see cref="EcrPushSettings.RegistryId"/> name, then <see cref="EcrPushSettings.Destinations"/>. The other
    /// properties of this result are the first destination's, but for <see cref="ImageReferences"/>, which lists them all.
    /// </summary>
    public IReadOnlyList<EcrPushResult> Destinations { get; init; } = [];

    /// <summary>The digest reference, <c>registry/repository@sha256:…</c>: pins exactly what was pushed.</summary>
    public string DigestReference => $"{RepositoryUri}@{Digest}";

    /// <summary>Returns <see cref="ImageReference"/>, so the result can stand where a reference string is expected.</summary>
    public override string ToString() => ImageReference;
}

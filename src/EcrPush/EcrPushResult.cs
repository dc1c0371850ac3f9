namespace Ecr;

/// <summary>
/// What a push did. <see cref="FirstDestination"/> is the destination that <see cref="EcrPushSettings.Region"/> and
/// <see cref="EcrPushSettings.RegistryId"/> name; <see cref="Destinations"/> and <see cref="AllImageReferences"/> span
/// every destination. <see cref="ImageReference"/>, <see cref="Digest"/> and <see cref="DigestReference"/> are the first
/// destination's, for the usual push to one place.
/// </summary>
public sealed record EcrPushResult
{
    /// <summary>Creates a result from the destinations' results, the first destination first.</summary>
    /// <param name="destinations">One result per destination, in the order of the settings; at least one.</param>
    public EcrPushResult(IReadOnlyList<EcrPushedImage> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentOutOfRangeException.ThrowIfZero(destinations.Count, nameof(destinations));
        Destinations = destinations;
    }

    /// <summary>One result per destination, in the order of the settings: <see cref="FirstDestination"/>, then <see cref="EcrPushSettings.Destinations"/>.</summary>
    public IReadOnlyList<EcrPushedImage> Destinations { get; }

    /// <summary>The destination that <see cref="EcrPushSettings.Region"/> and <see cref="EcrPushSettings.RegistryId"/> name.</summary>
    public EcrPushedImage FirstDestination => Destinations[0];

    /// <summary>Every pushed reference of every destination: each destination's tags, destination by destination.</summary>
    public IReadOnlyList<string> AllImageReferences => [.. Destinations.SelectMany(destination => destination.ImageReferences)];

    /// <summary>The first destination's first reference, <c>registry/repository:tag</c>: what <see cref="EcrPushSettings.OutputVariable"/> is set to.</summary>
    public string ImageReference => FirstDestination.ImageReference;

    /// <summary>The first destination's manifest digest, <c>sha256:…</c>.</summary>
    public string Digest => FirstDestination.Digest;

    /// <summary>The first destination's digest reference, <c>registry/repository@sha256:…</c>: pins exactly what was pushed.</summary>
    public string DigestReference => FirstDestination.DigestReference;

    /// <summary>Returns <see cref="ImageReference"/>, so the result can stand where a reference string is expected.</summary>
    public override string ToString() => ImageReference;
}

namespace Ecr.Internal.Destinations;

/// <summary>
/// ECR refuses to move an immutable tag, even onto the same manifest. A tag that already holds this very image (the
/// same identity: config digest, or an index's own digest) needs no push, so that a re-run of the same build passes; a
/// tag that holds another image is an error before any byte moves. Written once for every source.
/// </summary>
internal sealed class ImmutableTags(DestinationContext destination, IReadOnlyList<string> tags, string identity, IPushLog log)
{
    /// <summary>The immutable tags that hold this image already, with the manifest digest each holds; an error for one that holds another image.</summary>
    public async Task<IReadOnlyDictionary<string, string>> FindHeldAsync(CancellationToken cancellationToken)
    {
        var (held, conflicts) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (conflicts.Count > 0)
        {
            throw new EcrPushException($"{Conflict(conflicts)} Nothing was pushed. Push under a new tag (a version or build number), or remove the tag from TargetTags.");
        }

        foreach (var (tag, digest) in held)
        {
            log.Information($"The immutable tag {tag} already holds this image ({digest}): nothing to push for it");
        }

        return held;
    }

    /// <summary>
    /// The registry refused a tag as immutable after the check had passed: another writer took it meanwhile. The same
    /// check again names the tag and what it holds now; the refusal as it came when it cannot (the tag was deleted since).
    /// </summary>
    public async Task<Exception> ExplainRefusalAsync(Exception refusal, CancellationToken cancellationToken)
    {
        var (_, conflicts) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return conflicts.Count == 0
            ? refusal
            : new EcrPushException($"{Conflict(conflicts)} Another push wrote {(conflicts.Count == 1 ? "it" : "them")} after this push had checked {(conflicts.Count == 1 ? "it" : "them")}, and the registry refused this one. Push under a new tag (a version or build number), or remove the tag from TargetTags.", refusal);
    }

    private async Task<(Dictionary<string, string> Held, List<string> Conflicts)> ReadAsync(CancellationToken cancellationToken)
    {
        var immutable = tags.Where(destination.Repository.IsTagImmutable).ToList();
        var client = destination.Connection.Client;
        var found = await Task.WhenAll(immutable.Select(tag => client.BatchGetImageAsync(destination.RepositoryName, destination.Destination.RegistryId, tag, cancellationToken))).ConfigureAwait(false);
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        for (var i = 0; i < immutable.Count; i++)
        {
            if (found[i] is not { } existing)
            {
                continue;
            }

            if (string.Equals(existing.ConfigDigest, identity, StringComparison.Ordinal) || string.Equals(existing.Digest, identity, StringComparison.Ordinal))
            {
                held[immutable[i]] = existing.Digest;
            }
            else
            {
                conflicts.Add($"{immutable[i]} holds {existing.Digest} (image {existing.ConfigDigest ?? "of another kind"})");
            }
        }

        return (held, conflicts);
    }

    private string Conflict(List<string> conflicts)
        => $"The repository {destination.Repository.RepositoryUri} has {destination.Repository.TagMutability} tags, and {(conflicts.Count == 1 ? "this tag already holds" : "these tags already hold")} another image: {string.Join("; ", conflicts)}. This image is {identity}.";
}

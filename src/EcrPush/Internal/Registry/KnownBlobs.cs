using System.Collections.Concurrent;

namespace Ecr.Internal.Registry;

/// <summary>
/// Which repository of a registry each blob was last seen in (uploaded, or found there) during this process: what a
/// later push of the same blob to another repository of that registry names as the source of a mount attempt. A
/// registry host is one account in one region, the only scope in which ECR mounts. Bounded: past the limit it starts
/// again empty, which costs only mount attempts.
/// </summary>
internal sealed class KnownBlobs
{
    private const int Limit = 100_000;
    private readonly ConcurrentDictionary<(string Registry, string Digest), string> _repositories = new();

    /// <summary>The process's record, shared by every push in it (several pushes of one build, CombineWith).</summary>
    public static KnownBlobs Shared { get; } = new();

    public void Record(string registry, string digest, string repository)
    {
        if (_repositories.Count >= Limit)
        {
            _repositories.Clear();
        }

        _repositories[(registry, digest)] = repository;
    }

    /// <summary>Another repository of <paramref name="registry"/> that holds the blob, or null.</summary>
    public string? OtherRepository(string registry, string digest, string repository)
        => _repositories.TryGetValue((registry, digest), out var known) && !string.Equals(known, repository, StringComparison.Ordinal) ? known : null;
}

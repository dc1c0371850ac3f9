using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Ecr.TestStack;

/// <summary>
/// What the stack's ECR API front keeps beside moto, for the ECR behaviours of 2025 that moto 5.2 has not: repository
/// creation templates (applied on push by the registry gateway), the archive storage class of images, lifecycle policies
/// in the 2025 schema (moto refuses transition rules), and calls refused to an identity as AccessDeniedException. One per
/// stack, shared by the API front and the regions' registry gateways.
/// </summary>
internal sealed class EcrApiState
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> _templates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Region, string Repository, string Digest), ArchiveRecord> _archive = new();
    private readonly ConcurrentDictionary<(string Region, string Repository), string> _lifecyclePolicies = new();
    private readonly ConcurrentDictionary<(string AccessKey, string Operation), bool> _denied = new();

    /// <summary>The templates of a region's registry, by prefix.</summary>
    public ConcurrentDictionary<string, JsonObject> Templates(string region) => _templates.GetOrAdd(region, static _ => new(StringComparer.Ordinal));

    /// <summary>
    /// The template ECR applies when a push arrives for a missing repository: one with CREATE_ON_PUSH whose prefix and a
    /// slash begin the name (the longest), else ROOT's.
    /// </summary>
    public JsonObject? CreateOnPushTemplate(string region, string repository)
        => Templates(region).Values
            .Where(template => template["appliedFor"] is JsonArray applied && applied.Any(item => (string?)item == "CREATE_ON_PUSH"))
            .Select(template => (Template: template, Prefix: (string?)template["prefix"] ?? string.Empty))
            .Where(t => t.Prefix == "ROOT" || repository.StartsWith(t.Prefix.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(t => t.Prefix == "ROOT" ? -1 : t.Prefix.Length)
            .Select(t => t.Template)
            .FirstOrDefault();

    public void Deny(string accessKey, string operation) => _denied[(accessKey, operation)] = true;

    public bool IsDenied(string? accessKey, string operation) => accessKey is not null && _denied.ContainsKey((accessKey, operation));

    public void SetLifecyclePolicy(string region, string repository, string policy) => _lifecyclePolicies[(region, repository)] = policy;

    public string? LifecyclePolicy(string region, string repository) => _lifecyclePolicies.TryGetValue((region, repository), out var policy) ? policy : null;

    public ArchiveRecord? Archived(string region, string repository, string digest) => _archive.TryGetValue((region, repository, digest), out var record) ? record : null;

    public bool HasArchive(string region, string repository) => _archive.Keys.Any(key => key.Region == region && key.Repository == repository);

    /// <summary>UpdateImageStorageClass: to ARCHIVE (now archived), or to STANDARD (now ACTIVATING, as ECR's restore takes a while; active at the next look).</summary>
    public string SetStorageClass(string region, string repository, string digest, string target)
    {
        var now = DateTimeOffset.UtcNow;
        var record = _archive.AddOrUpdate(
            (region, repository, digest),
            _ => new ArchiveRecord(target == "ARCHIVE" ? "ARCHIVED" : "ACTIVE", target == "ARCHIVE" ? now : null, null),
            (_, old) => target == "ARCHIVE" ? old with { Status = "ARCHIVED", LastArchivedAt = now } : old with { Status = old.Status == "ARCHIVED" ? "ACTIVATING" : old.Status, LastActivatedAt = now });
        return record.Status;
    }

    /// <summary>A manifest of this digest was pushed: ECR restores an archived image that is pushed again, at once.</summary>
    public void Revive(string region, string repository, string digest)
    {
        if (Archived(region, repository, digest) is { Status: not "ACTIVE" } record)
        {
            _archive[(region, repository, digest)] = record with { Status = "ACTIVE", LastActivatedAt = DateTimeOffset.UtcNow };
        }
    }

    /// <summary>The status DescribeImages reports: a restore that was ACTIVATING is done by the time anyone looks again.</summary>
    public ArchiveRecord? Look(string region, string repository, string digest)
    {
        var record = Archived(region, repository, digest);
        if (record is { Status: "ACTIVATING" })
        {
            _archive[(region, repository, digest)] = record with { Status = "ACTIVE" };
        }

        return record;
    }
}

/// <summary>An image's storage class as ECR reports it: ACTIVE, ARCHIVED or ACTIVATING, and when it last went to and came back from the archive.</summary>
internal sealed record ArchiveRecord(string Status, DateTimeOffset? LastArchivedAt, DateTimeOffset? LastActivatedAt);

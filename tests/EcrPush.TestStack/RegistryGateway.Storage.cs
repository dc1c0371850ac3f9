using System.Collections.Concurrent;
using System.Net.Security;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

// What a region's ECR registry does by itself since 2025, where the push meets it: a repository creation template with
// CREATE_ON_PUSH creates a missing repository when a push arrives (with the template's mutability, tags and lifecycle
// policy), and an archived image's manifest answers a pull 404, as ECR's user guide says ("Archiving an image").
internal sealed partial class RegistryGateway
{
    private readonly ConcurrentDictionary<string, bool> _existing = new(StringComparer.Ordinal);

    /// <summary>The API front's state of a region (templates, archive); null for ECR Public's registry, which has neither.</summary>
    public EcrApiState? State { get; init; }

    // /v2/<name>/blobs/uploads/…: a push's first write into a repository.
    [GeneratedRegex("^/v2/(?<name>.+)/blobs/uploads/", RegexOptions.CultureInvariant)]
    private static partial Regex UploadPath();

    /// <summary>
    /// A write (an upload's start, a manifest) into a repository the API does not know: when a template with CREATE_ON_PUSH
    /// covers its name, the repository is created first, from the template, as ECR does when the push arrives.
    /// </summary>
    private async Task CreateOnPushAsync(HttpRequestHead head, CancellationToken cancellationToken)
    {
        if (State is not { } state || state.Templates(_region).IsEmpty)
        {
            return;
        }

        var upload = head.Method == "POST" ? UploadPath().Match(head.Path) : Match.Empty;
        var manifest = head.Method == "PUT" ? ManifestPath().Match(head.Path) : Match.Empty;
        var repository = upload.Success ? upload.Groups["name"].Value : manifest.Success ? manifest.Groups["name"].Value : null;
        if (repository is null || _existing.ContainsKey(repository))
        {
            return;
        }

        var turn = _manifestTurns.GetOrAdd(repository, static _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await DescribeRepositoryAsync(repository, cancellationToken).ConfigureAwait(false) is not null)
            {
                _existing[repository] = true;
                return;
            }

            if (state.CreateOnPushTemplate(_region, repository) is not { } template)
            {
                return;
            }

            var create = new JsonObject { ["repositoryName"] = repository };
            foreach (var (from, to) in new[] { ("imageTagMutability", "imageTagMutability"), ("imageTagMutabilityExclusionFilters", "imageTagMutabilityExclusionFilters"), ("resourceTags", "tags"), ("encryptionConfiguration", "encryptionConfiguration") })
            {
                if (template[from] is { } value)
                {
                    create[to] = value.DeepClone();
                }
            }

            var (error, body) = await _ecr.CallAsync(_region, "CreateRepository", create, cancellationToken).ConfigureAwait(false);
            if (error is not null and not "RepositoryAlreadyExistsException")
            {
                throw new InvalidOperationException($"LocalEcrStack: creating {repository} on push from the template '{template["prefix"]}' failed: {error} {body}");
            }

            if ((string?)template["lifecyclePolicy"] is { } lifecyclePolicy)
            {
                state.SetLifecyclePolicy(_region, repository, lifecyclePolicy);
            }

            _existing[repository] = true;
            _log($"{_region}: created {repository} on push from the repository creation template '{template["prefix"]}'");
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>A pull of an archived image's manifest (by its digest, or by a tag that holds it): 404 MANIFEST_UNKNOWN; null for any other request.</summary>
    private async Task<int?> ArchivedAsync(SslStream client, HttpRequestHead head, Match manifest, CancellationToken cancellationToken)
    {
        if (State is not { } state || head.Method is not ("GET" or "HEAD") || !manifest.Success || !state.HasArchive(_region, manifest.Groups["name"].Value))
        {
            return null;
        }

        var repository = manifest.Groups["name"].Value;
        var reference = manifest.Groups["reference"].Value;
        var digest = reference;
        if (!reference.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var (error, body) = await _ecr.CallAsync(_region, "BatchGetImage", new JsonObject
            {
                ["repositoryName"] = repository,
                ["imageIds"] = new JsonArray(new JsonObject { ["imageTag"] = reference }),
            }, cancellationToken).ConfigureAwait(false);
            digest = error is null && body.TryGetProperty("images", out var images) && images.GetArrayLength() > 0
                ? images[0].GetProperty("imageId").GetProperty("imageDigest").GetString() ?? reference
                : reference;
        }

        if (state.Archived(_region, repository, digest) is not { Status: not "ACTIVE" })
        {
            return null;
        }

        await WriteAnswerAsync(client, 404, "Not Found", new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["code"] = "MANIFEST_UNKNOWN", ["message"] = $"The image {repository}@{digest} is archived." }),
        }.ToJsonString(), cancellationToken).ConfigureAwait(false);
        _log($"{_region}: refused {head.Method} {head.Path}: {digest} is archived");
        return 404;
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecr.TestStack;

// The ECR operations moto 5.2 lacks, as ECR's API reference documents them: repository creation templates
// (CreateRepositoryCreationTemplate, DescribeRepositoryCreationTemplates, DeleteRepositoryCreationTemplate), the archive
// storage class (UpdateImageStorageClass; BatchGetImage and DescribeImages as they see an archived image), and lifecycle
// policies in the 2025 schema (moto refuses transition and the new selections).
internal sealed partial class EcrApiGateway
{
    private static readonly HashSet<string> ActionTypes = new(StringComparer.Ordinal) { "expire", "transition" };
    private static readonly HashSet<string> CountTypes = new(StringComparer.Ordinal) { "imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned" };
    private static readonly HashSet<string> StorageClasses = new(StringComparer.Ordinal) { "standard", "archive" };

    /// <summary>The answer of an operation the front serves itself; null to pass the call to moto as it is.</summary>
    private async Task<(int Status, string Json)?> AnswerAsync(string? operation, string region, HttpRequestHead head, byte[] body, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "CreateRepositoryCreationTemplate":
                return CreateTemplate(region, Parse(body));
            case "DescribeRepositoryCreationTemplates":
                return DescribeTemplates(region, Parse(body));
            case "DeleteRepositoryCreationTemplate":
                return _state.Templates(region).TryRemove((string?)Parse(body)["prefix"] ?? string.Empty, out var removed)
                    ? (200, new JsonObject { ["registryId"] = LocalEcrStack.AccountId, ["repositoryCreationTemplate"] = removed }.ToJsonString())
                    : (400, Error("TemplateNotFoundException", "The specified repository creation template does not exist."));
            case "UpdateImageStorageClass":
                return await UpdateStorageClassAsync(region, Parse(body), cancellationToken).ConfigureAwait(false);
            case "PutLifecyclePolicy":
                return await PutLifecyclePolicyAsync(region, Parse(body), cancellationToken).ConfigureAwait(false);
            case "GetLifecyclePolicy":
                var repository = (string?)Parse(body)["repositoryName"] ?? string.Empty;
                return _state.LifecyclePolicy(region, repository) is { } policy
                    ? (200, new JsonObject { ["registryId"] = LocalEcrStack.AccountId, ["repositoryName"] = repository, ["lifecyclePolicyText"] = policy }.ToJsonString())
                    : (400, Error("LifecyclePolicyNotFoundException", $"Lifecycle policy does not exist for the repository with name '{repository}' in the registry with id '{LocalEcrStack.AccountId}'"));
            case "BatchGetImage":
            case "DescribeImages":
                return await SeeArchiveAsync(operation, region, head, body, cancellationToken).ConfigureAwait(false);
            default:
                return null;
        }
    }

    private static JsonObject Parse(byte[] body) => JsonNode.Parse(body.Length == 0 ? "{}"u8 : body) as JsonObject ?? [];

    private (int Status, string Json) CreateTemplate(string region, JsonObject request)
    {
        var prefix = (string?)request["prefix"];
        if (string.IsNullOrEmpty(prefix) || request["appliedFor"] is not JsonArray { Count: > 0 })
        {
            return (400, Error("InvalidParameterException", "A repository creation template needs a prefix and appliedFor."));
        }

        var template = (JsonObject)request.DeepClone();
        template["createdAt"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return _state.Templates(region).TryAdd(prefix, template)
            ? (200, new JsonObject { ["registryId"] = LocalEcrStack.AccountId, ["repositoryCreationTemplate"] = template.DeepClone() }.ToJsonString())
            : (400, Error("TemplateAlreadyExistsException", $"The repository creation template with prefix '{prefix}' already exists."));
    }

    private (int Status, string Json) DescribeTemplates(string region, JsonObject request)
    {
        var prefixes = (request["prefixes"] as JsonArray)?.Select(prefix => (string?)prefix).ToHashSet(StringComparer.Ordinal);
        var templates = _state.Templates(region).Values.Where(template => prefixes is null || prefixes.Contains((string?)template["prefix"]));
        return (200, new JsonObject
        {
            ["registryId"] = LocalEcrStack.AccountId,
            ["repositoryCreationTemplates"] = new JsonArray([.. templates.Select(template => template.DeepClone())]),
        }.ToJsonString());
    }

    /// <summary>UpdateImageStorageClass: the image by digest or tag (moto knows which digest a tag holds), to ARCHIVE or back to STANDARD.</summary>
    private async Task<(int Status, string Json)> UpdateStorageClassAsync(string region, JsonObject request, CancellationToken cancellationToken)
    {
        var repository = (string?)request["repositoryName"] ?? string.Empty;
        var target = (string?)request["targetStorageClass"];
        if (target is not ("ARCHIVE" or "STANDARD"))
        {
            return (400, Error("InvalidParameterException", "targetStorageClass must be STANDARD or ARCHIVE."));
        }

        var (error, found) = await _ecr.CallAsync(region, "BatchGetImage", new JsonObject { ["repositoryName"] = repository, ["imageIds"] = new JsonArray(request["imageId"]?.DeepClone()) }, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (400, Error(error, found.ToString()));
        }

        var digest = found.TryGetProperty("images", out var images) && images.GetArrayLength() > 0 ? images[0].GetProperty("imageId").GetProperty("imageDigest").GetString() : null;
        if (digest is null)
        {
            return (400, Error("ImageNotFoundException", $"The image with imageId {request["imageId"]?.ToJsonString()} does not exist within the repository with name '{repository}' in the registry with id '{LocalEcrStack.AccountId}'"));
        }

        var status = _state.SetStorageClass(region, repository, digest, target);
        return (200, new JsonObject
        {
            ["registryId"] = LocalEcrStack.AccountId,
            ["repositoryName"] = repository,
            ["imageId"] = new JsonObject { ["imageDigest"] = digest },
            ["imageStatus"] = status,
        }.ToJsonString());
    }

    /// <summary>
    /// ECR's view of archived images: BatchGetImage does not give one (a failure, ImageNotFound, as a pull's 404); DescribeImages
    /// lists active images only unless its filter asks (imageStatus ARCHIVED, ACTIVATING or ANY), each with its status.
    /// </summary>
    private async Task<(int Status, string Json)?> SeeArchiveAsync(string operation, string region, HttpRequestHead head, byte[] body, CancellationToken cancellationToken)
    {
        var request = Parse(body);
        var repository = (string?)request["repositoryName"] ?? string.Empty;
        if (!_state.HasArchive(region, repository))
        {
            return null;
        }

        var wanted = (string?)request["filter"]?["imageStatus"];
        if (request["filter"] is JsonObject filter)
        {
            // moto knows no imageStatus filter: it is applied here, to what moto lists.
            filter.Remove("imageStatus");
        }

        var forwarded = await ForwardAsync(head, Encoding.UTF8.GetBytes(request.ToJsonString()), cancellationToken).ConfigureAwait(false);
        if (forwarded.Status != 200 || JsonNode.Parse(forwarded.Body) is not JsonObject answer)
        {
            return (forwarded.Status, Encoding.UTF8.GetString(forwarded.Body));
        }

        if (operation == "BatchGetImage" && answer["images"] is JsonArray found)
        {
            var failures = answer["failures"] as JsonArray ?? [];
            foreach (var image in found.OfType<JsonObject>().ToList())
            {
                if (_state.Archived(region, repository, (string?)image["imageId"]?["imageDigest"] ?? string.Empty) is { Status: not "ACTIVE" })
                {
                    found.Remove(image);
                    failures.Add(new JsonObject { ["imageId"] = image["imageId"]?.DeepClone(), ["failureCode"] = "ImageNotFound", ["failureReason"] = "Requested image not found" });
                }
            }

            answer["failures"] = failures;
        }
        else if (answer["imageDetails"] is JsonArray details)
        {
            foreach (var detail in details.OfType<JsonObject>().ToList())
            {
                var record = _state.Look(region, repository, (string?)detail["imageDigest"] ?? string.Empty);
                var status = record?.Status ?? "ACTIVE";
                var listed = wanted switch
                {
                    null => status == "ACTIVE",
                    "ANY" => true,
                    _ => status == wanted,
                };
                if (!listed)
                {
                    details.Remove(detail);
                    continue;
                }

                detail["imageStatus"] = status;
                if (record?.LastArchivedAt is { } archived)
                {
                    detail["lastArchivedAt"] = archived.ToUnixTimeMilliseconds() / 1000.0;
                }

                if (record?.LastActivatedAt is { } activated)
                {
                    detail["lastActivatedAt"] = activated.ToUnixTimeMilliseconds() / 1000.0;
                }
            }
        }

        return (200, answer.ToJsonString());
    }

    /// <summary>PutLifecyclePolicy as ECR takes it since the archive: the rules' actions expire or transition (to archive), the new count types and storage classes.</summary>
    private async Task<(int Status, string Json)> PutLifecyclePolicyAsync(string region, JsonObject request, CancellationToken cancellationToken)
    {
        var repository = (string?)request["repositoryName"] ?? string.Empty;
        var text = (string?)request["lifecyclePolicyText"] ?? string.Empty;
        var (error, body) = await _ecr.CallAsync(region, "DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray(repository) }, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (400, body.ValueKind == JsonValueKind.Object && body.TryGetProperty("__type", out _) ? body.GetRawText() : Error(error, body.ToString()));
        }

        if (LifecycleProblem(text) is { } problem)
        {
            return (400, Error("InvalidParameterException", $"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: {problem}'"));
        }

        _state.SetLifecyclePolicy(region, repository, text);
        return (200, new JsonObject { ["registryId"] = LocalEcrStack.AccountId, ["repositoryName"] = repository, ["lifecyclePolicyText"] = text }.ToJsonString());
    }

    private static string? LifecycleProblem(string text)
    {
        JsonArray rules;
        try
        {
            rules = JsonNode.Parse(text)?["rules"] as JsonArray ?? throw new JsonException("no rules");
        }
        catch (JsonException)
        {
            return "Could not map policyString into LifecyclePolicy.";
        }

        foreach (var rule in rules.OfType<JsonObject>())
        {
            var action = rule["action"] as JsonObject;
            var selection = rule["selection"] as JsonObject;
            var type = (string?)action?["type"];
            if (type is null || !ActionTypes.Contains(type))
            {
                return $"instance value ({type}) not found in enum (possible values: [\"expire\",\"transition\"])";
            }

            if (type == "transition" && (string?)action!["targetStorageClass"] != "archive")
            {
                return "a transition action needs targetStorageClass archive";
            }

            if ((string?)selection?["countType"] is not { } countType || !CountTypes.Contains(countType))
            {
                return "instance failed to match exactly one schema (countType)";
            }

            if ((string?)selection["storageClass"] is { } storageClass && !StorageClasses.Contains(storageClass))
            {
                return $"instance value ({storageClass}) not found in enum (possible values: [\"archive\",\"standard\"])";
            }
        }

        return null;
    }
}

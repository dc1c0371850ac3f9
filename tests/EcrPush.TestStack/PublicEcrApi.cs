using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// ECR Public's API as its reference documents it (ecr-public 2020-10-30: target prefix SpencerFrontendService), for the
/// operations a push makes, since moto has none of them: GetAuthorizationToken (in us-east-1 only, as ECR Public serves
/// it; elsewhere UnsupportedCommandException), DescribeRegistries (the account's registry, which gets its default alias
/// with its first repository), DescribeRepositories, CreateRepository (with its catalog data, held to the model's limits:
/// InvalidParameterException), GetRepositoryCatalogData, SetRepositoryPolicy and DescribeImages. Every call is recorded
/// with the region it was signed for. The public registry's gateway records pushes here (<see cref="IEcrRecords"/>), as
/// ECR's shared storage makes an image pushed through the registry visible to the API.
/// </summary>
internal sealed partial class PublicEcrApi(string alias) : IEcrRecords
{
    public const string TargetPrefix = "SpencerFrontendService";

    /// <summary>The service a request to ECR Public's API is signed for (SigV4 credential scope).</summary>
    public const string SigningName = "ecr-public";

    private const int DescriptionMax = 1024;
    private const int TextMax = 25600;
    private const int ListMax = 50;
    private const int ListItemMax = 50;
    private const int LogoMax = 512000;

    private readonly ConcurrentDictionary<string, PublicRepository> _repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PublicApiCall> _calls = new();
    private volatile bool _aliasAssigned;

    /// <summary>Every call to ECR Public's API, in order: its operation and the region it was signed for.</summary>
    public IReadOnlyList<PublicApiCall> Calls => [.. _calls];

    private string RegistryUri => $"{LocalEcrStack.PublicRegistryHostName}/{alias}";

    /// <summary>One call of ECR Public's API: the HTTP status and the JSON body to answer.</summary>
    public (int Status, string Json) Handle(string operation, byte[] body, string? signingRegion)
    {
        _calls.Enqueue(new PublicApiCall(operation, signingRegion ?? "(none)"));
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body.Length == 0 ? "{}"u8 : body) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return Error("SerializationException", "The request is not JSON.");
        }

        return operation switch
        {
            "GetAuthorizationToken" => GetAuthorizationToken(signingRegion),
            "DescribeRegistries" => DescribeRegistries(),
            "DescribeRepositories" => DescribeRepositories(request),
            "CreateRepository" => CreateRepository(request),
            "GetRepositoryCatalogData" => WithRepository(request, repository => (200, new JsonObject { ["catalogData"] = repository.CatalogData.DeepClone() }.ToJsonString())),
            "SetRepositoryPolicy" => WithRepository(request, repository =>
            {
                repository.Policy = (string?)request["policyText"];
                return (200, new JsonObject { ["registryId"] = LocalEcrStack.AccountId, ["repositoryName"] = repository.Name, ["policyText"] = repository.Policy }.ToJsonString());
            }),
            "DescribeImages" => WithRepository(request, repository => (200, new JsonObject
            {
                ["imageDetails"] = new JsonArray([.. repository.Images.GroupBy(image => image.Value).Select(image => (JsonNode)new JsonObject
                {
                    ["registryId"] = LocalEcrStack.AccountId,
                    ["repositoryName"] = repository.Name,
                    ["imageDigest"] = image.Key,
                    ["imageTags"] = new JsonArray([.. image.Select(tag => (JsonNode)JsonValue.Create(tag.Key)!)]),
                })]),
            }.ToJsonString())),
            _ => Error("UnsupportedCommandException", $"LocalEcrStack's ECR Public API does not serve {operation}."),
        };
    }

    /// <summary>The registry gateway's calls (ECR's shapes), for the repository at a registry path <c>&lt;alias&gt;/&lt;name&gt;</c>.</summary>
    public Task<(string? ErrorCode, JsonElement Body)> CallAsync(string region, string operation, JsonObject request, CancellationToken cancellationToken)
    {
        var path = (string?)request["repositoryName"] ?? (string?)(request["repositoryNames"] as JsonArray)?[0] ?? string.Empty;
        var name = path.StartsWith(alias + "/", StringComparison.Ordinal) ? path[(alias.Length + 1)..] : null;
        if (name is null || !_repositories.TryGetValue(name, out var repository))
        {
            return Answer("RepositoryNotFoundException", new JsonObject { ["message"] = $"The repository '{path}' does not exist in the public registry." });
        }

        switch (operation)
        {
            case "DescribeRepositories":
                // ECR Public's tags are always mutable.
                return Answer(null, new JsonObject { ["repositories"] = new JsonArray(new JsonObject { ["repositoryName"] = path, ["imageTagMutability"] = "MUTABLE" }) });
            case "BatchGetImage":
                return Answer(null, new JsonObject { ["images"] = new JsonArray() });
            case "PutImage":
                if ((string?)request["imageTag"] is { } tag && (string?)request["imageDigest"] is { } digest)
                {
                    repository.Images[tag] = digest;
                }

                return Answer(null, new JsonObject { ["image"] = new JsonObject { ["repositoryName"] = path } });
            default:
                return Answer("UnsupportedCommandException", new JsonObject { ["message"] = operation });
        }
    }

    private static Task<(string? ErrorCode, JsonElement Body)> Answer(string? code, JsonObject body)
        => Task.FromResult((code, JsonDocument.Parse(body.ToJsonString()).RootElement.Clone()));

    private static (int Status, string Json) Error(string code, string message)
        => (400, new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());

    private static (int Status, string Json) GetAuthorizationToken(string? signingRegion)
    {
        if (signingRegion != "us-east-1")
        {
            // ECR Public's token is served in us-east-1 only.
            return Error("UnsupportedCommandException", $"The action isn't supported in this Region ({signingRegion ?? "none"}).");
        }

        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{LocalEcrStack.RegistryPassword}"));
        return (200, new JsonObject
        {
            ["authorizationData"] = new JsonObject
            {
                ["authorizationToken"] = token,
                ["expiresAt"] = DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds(),
            },
        }.ToJsonString());
    }

    private (int Status, string Json) DescribeRegistries()
    {
        var aliases = new JsonArray();
        if (_aliasAssigned)
        {
            aliases.Add(new JsonObject { ["name"] = alias, ["status"] = "ACTIVE", ["primaryRegistryAlias"] = true, ["defaultRegistryAlias"] = true });
        }

        return (200, new JsonObject
        {
            ["registries"] = new JsonArray(new JsonObject
            {
                ["registryId"] = LocalEcrStack.AccountId,
                ["registryArn"] = $"arn:aws:ecr-public::{LocalEcrStack.AccountId}:registry/{LocalEcrStack.AccountId}",
                ["registryUri"] = _aliasAssigned ? RegistryUri : string.Empty,
                ["verified"] = false,
                ["aliases"] = aliases,
            }),
        }.ToJsonString());
    }

    private (int Status, string Json) DescribeRepositories(JsonObject request)
    {
        var names = (request["repositoryNames"] as JsonArray)?.Select(name => (string?)name).OfType<string>().ToList();
        var found = names is null ? [.. _repositories.Values] : names.Select(name => _repositories.GetValueOrDefault(name)).ToList();
        if (found.Any(repository => repository is null))
        {
            return Error("RepositoryNotFoundException", $"The repository with name '{names!.First(name => !_repositories.ContainsKey(name))}' does not exist in the registry with id '{LocalEcrStack.AccountId}'");
        }

        return (200, new JsonObject { ["repositories"] = new JsonArray([.. found.Select(repository => (JsonNode)Describe(repository!))]) }.ToJsonString());
    }

    private (int Status, string Json) CreateRepository(JsonObject request)
    {
        var name = (string?)request["repositoryName"] ?? string.Empty;
        if (name.Length is < 2 or > 205 || !RepositoryName().IsMatch(name))
        {
            return Error("InvalidParameterException", $"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''");
        }

        var catalog = request["catalogData"] as JsonObject ?? [];
        if (CatalogProblem(catalog) is { } problem)
        {
            return Error("InvalidParameterException", problem);
        }

        var repository = new PublicRepository(name, DateTimeOffset.UtcNow, (JsonObject)catalog.DeepClone(), request["tags"]?.DeepClone());
        if (!_repositories.TryAdd(name, repository))
        {
            return Error("RepositoryAlreadyExistsException", $"The repository with name '{name}' already exists in the registry with id '{LocalEcrStack.AccountId}'");
        }

        // A public registry gets its default alias when its first repository is created.
        _aliasAssigned = true;
        return (200, new JsonObject { ["repository"] = Describe(repository), ["catalogData"] = catalog.DeepClone() }.ToJsonString());
    }

    /// <summary>RepositoryCatalogDataInput's limits in the model, with the wording of the API's validation errors.</summary>
    private static string? CatalogProblem(JsonObject catalog)
    {
        foreach (var (member, max) in new[] { ("description", DescriptionMax), ("aboutText", TextMax), ("usageText", TextMax) })
        {
            if (((string?)catalog[member])?.Length > max)
            {
                return $"Invalid parameter at 'catalogData.{member}' failed to satisfy constraint: 'Member must have length less than or equal to {max}'";
            }
        }

        foreach (var member in new[] { "architectures", "operatingSystems" })
        {
            if (catalog[member] is JsonArray list && (list.Count > ListMax || list.Any(item => ((string?)item)?.Length is not (>= 1 and <= ListItemMax))))
            {
                return $"Invalid parameter at 'catalogData.{member}' failed to satisfy constraint: 'Member must have at most {ListMax} items of 1 to {ListItemMax} characters'";
            }
        }

        return (string?)catalog["logoImageBlob"] is { } logo && Convert.FromBase64String(logo).Length > LogoMax
            ? $"Invalid parameter at 'catalogData.logoImageBlob' failed to satisfy constraint: 'Member must have length less than or equal to {LogoMax}'"
            : null;
    }

    private (int Status, string Json) WithRepository(JsonObject request, Func<PublicRepository, (int Status, string Json)> answer)
        => _repositories.TryGetValue((string?)request["repositoryName"] ?? string.Empty, out var repository)
            ? answer(repository)
            : Error("RepositoryNotFoundException", $"The repository with name '{(string?)request["repositoryName"]}' does not exist in the registry with id '{LocalEcrStack.AccountId}'");

    private JsonObject Describe(PublicRepository repository) => new()
    {
        ["repositoryArn"] = $"arn:aws:ecr-public::{LocalEcrStack.AccountId}:repository/{repository.Name}",
        ["registryId"] = LocalEcrStack.AccountId,
        ["repositoryName"] = repository.Name,
        ["repositoryUri"] = $"{RegistryUri}/{repository.Name}",
        ["createdAt"] = repository.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
    };

    [GeneratedRegex(@"\A(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryName();

    private sealed class PublicRepository(string name, DateTimeOffset createdAt, JsonObject catalogData, JsonNode? tags)
    {
        public string Name { get; } = name;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public JsonObject CatalogData { get; } = catalogData;

        public JsonNode? Tags { get; } = tags;

        public string? Policy { get; set; }

        public ConcurrentDictionary<string, string> Images { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>One call to the stack's ECR Public API: the operation, and the region its signature was made for.</summary>
/// <param name="Operation">The operation, e.g. <c>GetAuthorizationToken</c>.</param>
/// <param name="SigningRegion">The region of the request's credential scope.</param>
public sealed record PublicApiCall(string Operation, string SigningRegion);

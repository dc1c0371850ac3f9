using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// ECR's managed signing (November 2025) as the stand-in's ECR API answers it, since moto has none of it: the
/// <c>GetSigningConfiguration</c> and <c>DescribeImageSigningStatus</c> operations, with the shapes, members and error of
/// the ECR API reference (service-2.json of 2025-11: <c>signingConfiguration.rules[].signingProfileArn</c> and
/// <c>repositoryFilters[]</c> of <c>WILDCARD_MATCH</c>; <c>signingStatuses[]</c> of <c>IN_PROGRESS | COMPLETE | FAILED</c>
/// with <c>failureCode</c> and <c>failureReason</c>; <c>SigningConfigurationNotFoundException</c> for a registry without
/// one). A test adds rules for its own repositories (their names are unique), each with what the signing of an image does
/// call after call; the configuration is the registry's, so pushes of other tests see the rules but none names them.
/// </summary>
public sealed class ManagedSigningStandIn
{
    private const string AccountId = "123456789012";

    private readonly ConcurrentDictionary<Guid, Rule> _rules = new();
    private readonly ConcurrentDictionary<(string Region, string Repository, string Digest, string Profile), int> _calls = new();

    /// <summary>The operations answered here instead of moto.</summary>
    public static bool Answers(string? operation) => operation is "GetSigningConfiguration" or "DescribeImageSigningStatus";

    /// <summary>
    /// A signing rule of <paramref name="region"/>'s registry: <paramref name="signingProfileArn"/> signs the images of the
    /// repositories <paramref name="repositoryFilter"/> matches (<c>*</c>: any run of characters); each image's status, call
    /// by call (1 first), is what <paramref name="signing"/> says. Disposing the rule removes it.
    /// </summary>
    public IDisposable AddRule(string region, string signingProfileArn, string repositoryFilter, Func<int, SigningOutcome> signing)
    {
        var id = Guid.NewGuid();
        _rules[id] = new Rule(region, signingProfileArn, repositoryFilter, signing);
        return new Removal(() => _rules.TryRemove(id, out _));
    }

    /// <summary>How many times ECR was asked for the signing status of an image.</summary>
    public int StatusCalls(string region, string repository, string digest)
        => _calls.Where(call => call.Key.Region == region && call.Key.Repository == repository && call.Key.Digest == digest).Sum(call => call.Value);

    /// <summary>The status code and JSON body of ECR's answer to <paramref name="operation"/> in <paramref name="region"/>.</summary>
    internal (int Status, string Json) Answer(string operation, string region, byte[] body)
    {
        var rules = _rules.Values.Where(rule => rule.Region == region).OrderBy(rule => rule.Filter, StringComparer.Ordinal).ToList();
        if (operation == "GetSigningConfiguration")
        {
            if (rules.Count == 0)
            {
                return (400, """{"__type":"SigningConfigurationNotFoundException","message":"Signing configuration not found for registry 123456789012"}""");
            }

            var configuration = new JsonObject
            {
                ["registryId"] = AccountId,
                ["signingConfiguration"] = new JsonObject
                {
                    ["rules"] = new JsonArray([.. rules.Select(rule => (JsonNode)new JsonObject
                    {
                        ["signingProfileArn"] = rule.Profile,
                        ["repositoryFilters"] = new JsonArray(new JsonObject { ["filter"] = rule.Filter, ["filterType"] = "WILDCARD_MATCH" }),
                    })]),
                },
            };
            return (200, configuration.ToJsonString());
        }

        using var request = JsonDocument.Parse(body);
        var repository = request.RootElement.GetProperty("repositoryName").GetString()!;
        var digest = request.RootElement.GetProperty("imageId").GetProperty("imageDigest").GetString()!;
        var statuses = new JsonArray();
        foreach (var rule in rules.Where(rule => Matches(rule.Filter, repository)))
        {
            var call = _calls.AddOrUpdate((region, repository, digest, rule.Profile), 1, static (_, count) => count + 1);
            var outcome = rule.Signing(call);
            var status = new JsonObject { ["signingProfileArn"] = rule.Profile, ["status"] = outcome.Status };
            if (outcome.FailureCode is not null)
            {
                status["failureCode"] = outcome.FailureCode;
                status["failureReason"] = outcome.FailureReason;
            }

            statuses.Add(status);
        }

        return (200, new JsonObject
        {
            ["repositoryName"] = repository,
            ["imageId"] = new JsonObject { ["imageDigest"] = digest },
            ["registryId"] = AccountId,
            ["signingStatuses"] = statuses,
        }.ToJsonString());
    }

    private static bool Matches(string filter, string repository)
        => Regex.IsMatch(repository, "^" + Regex.Escape(filter).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private sealed record Rule(string Region, string Profile, string Filter, Func<int, SigningOutcome> Signing);

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}

/// <summary>What a signing status call answers for one profile: <c>IN_PROGRESS</c>, <c>COMPLETE</c>, or <c>FAILED</c> with ECR's code and reason.</summary>
public sealed record SigningOutcome(string Status, string? FailureCode = null, string? FailureReason = null)
{
    /// <summary><c>IN_PROGRESS</c>.</summary>
    public static SigningOutcome InProgress { get; } = new("IN_PROGRESS");

    /// <summary><c>COMPLETE</c>.</summary>
    public static SigningOutcome Complete { get; } = new("COMPLETE");

    /// <summary><c>FAILED</c>, with ECR's failure code and reason.</summary>
    public static SigningOutcome Failed(string code, string reason) => new("FAILED", code, reason);
}

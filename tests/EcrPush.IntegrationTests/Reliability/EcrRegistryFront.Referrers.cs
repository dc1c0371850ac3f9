using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// ECR's registry as OCI 1.1 clients meet it, where docker-registry 2.8 has nothing of it; each behaviour is switched on
/// by a test of its own:
/// <list type="bullet">
/// <item><description>the referrers API (ECR since June 2024): <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c> answers an
/// OCI image index of the manifests put through this front whose <c>subject</c> is that digest, each entry with its
/// <c>artifactType</c> (else its config's media type) and annotations (distribution spec 1.1, "Listing Referrers"); a
/// manifest PUT with a subject is answered with <c>OCI-Subject</c>;</description></item>
/// <item><description><c>OCI-Subject</c> sent where the API is not served (sigstore-js#1183, which met it on ECR): the
/// referrers GET then goes on to docker-registry, which answers 404;</description></item>
/// <item><description>a manifest whose <c>artifactType</c>, config or layer media type has parameters (a <c>;</c>) is
/// refused (sigstore-js#1058, aws/containers-roadmap#2306); those name no status or error text, so the answer here is
/// the distribution spec's form for a manifest the registry will not take: 400 MANIFEST_INVALID.</description></item>
/// </list>
/// The front learns the referrers from the PUTs it passes on: a test puts every manifest it lists through it.
/// </summary>
internal sealed partial class EcrRegistryFront
{
    private readonly ConcurrentDictionary<(string Name, string Subject), ConcurrentDictionary<string, JsonObject>> _referrers = new();

    /// <summary>Serve the referrers API, and answer a manifest PUT with a subject with <c>OCI-Subject</c>.</summary>
    public bool ServesReferrersApi { get; set; }

    /// <summary>Answer a manifest PUT with a subject with <c>OCI-Subject</c>, although the API is not served.</summary>
    public bool SendsOciSubjectWithoutApi { get; set; }

    /// <summary>Refuse a manifest with a media type that has parameters.</summary>
    public bool RefusesMediaTypeParameters { get; set; }

    private bool WatchesReferrers => ServesReferrersApi || SendsOciSubjectWithoutApi || RefusesMediaTypeParameters;

    /// <summary>The referrers of <paramref name="subject"/> in <paramref name="name"/> as this front's API lists them, by digest.</summary>
    public IReadOnlyList<string> Referrers(string name, string subject)
        => _referrers.TryGetValue((name, subject), out var entries) ? [.. entries.Keys.Order(StringComparer.Ordinal)] : [];

    // /v2/<name>/referrers/<digest>, with or without a query (artifactType filters are not applied here).
    [GeneratedRegex("^/v2/(?<name>.+)/referrers/(?<digest>sha256:[0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferrersPath();

    private async Task<bool> AnswersReferrersAsync(Stream client, HttpRequestHead head, EcrFrontRequest request, CancellationToken cancellationToken)
    {
        if (!ServesReferrersApi || head.Method != "GET" || ReferrersPath().Match(head.Path) is not { Success: true } match)
        {
            return false;
        }

        var entries = _referrers.TryGetValue((match.Groups["name"].Value, match.Groups["digest"].Value), out var listed)
            ? listed.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => (JsonNode)entry.Value.DeepClone())
            : [];
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = new JsonArray([.. entries]) };
        var body = Encoding.UTF8.GetBytes(index.ToJsonString());
        request.Status = 200;
        await client.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n")), cancellationToken);
        await client.WriteAsync(body, cancellationToken);
        await client.FlushAsync(cancellationToken);
        return true;
    }

    private async Task<bool> RefusesMediaTypeAsync(Stream client, JsonElement manifest, EcrFrontRequest request, CancellationToken cancellationToken)
    {
        if (!RefusesMediaTypeParameters)
        {
            return false;
        }

        var types = new[] { Text(manifest, "artifactType"), manifest.TryGetProperty("config", out var config) ? Text(config, "mediaType") : null }
            .Concat(manifest.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array ? layers.EnumerateArray().Select(layer => Text(layer, "mediaType")) : []);
        if (types.FirstOrDefault(type => type?.Contains(';', StringComparison.Ordinal) == true) is not { } refused)
        {
            return false;
        }

        request.Status = 400;
        await AnswerAsync(client, 400, "Bad Request", $$"""{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid: the media type {{JsonSerializer.Serialize(refused)[1..^1]}} is not supported"}]}""", cancellationToken);
        return true;
    }

    /// <summary>The answer to a manifest PUT, once the registry took it: its referrer recorded, and <c>OCI-Subject</c> where this front says it.</summary>
    private AnswerHead Referred(AnswerHead answer, string path, byte[] body)
    {
        if (answer.Status != 201 || !WatchesReferrers || body.Length == 0)
        {
            return answer;
        }

        JsonNode? manifest;
        try
        {
            manifest = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return answer;
        }

        if (manifest?["subject"]?["digest"]?.GetValue<string>() is not { } subject)
        {
            return answer;
        }

        var name = path["/v2/".Length..path.LastIndexOf("/manifests/", StringComparison.Ordinal)];
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
        if (ServesReferrersApi)
        {
            var entry = new JsonObject
            {
                ["mediaType"] = manifest["mediaType"]?.GetValue<string>(),
                ["digest"] = digest,
                ["size"] = body.Length,
                ["artifactType"] = manifest["artifactType"]?.GetValue<string>() ?? manifest["config"]?["mediaType"]?.GetValue<string>(),
            };
            if (manifest["annotations"] is JsonObject annotations)
            {
                entry["annotations"] = annotations.DeepClone();
            }

            _referrers.GetOrAdd((name, subject), static _ => new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal))[digest] = entry;
        }

        return ServesReferrersApi || SendsOciSubjectWithoutApi ? answer.With("OCI-Subject", subject) : answer;
    }

    private static string? Text(JsonElement json, string property)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

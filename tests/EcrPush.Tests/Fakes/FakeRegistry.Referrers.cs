using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.Tests.Fakes;

/// <summary>
/// The referrers API (OCI distribution spec 1.1), when a test turns it on: <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>
/// answers an index of the manifests held whose subject is that digest, and a manifest PUT with a subject is answered
/// with <c>OCI-Subject</c>. Off (the default), the registry is docker-registry's kind: 404 to the API. The quirk of ECR
/// that sigstore-js#1183 met, <c>OCI-Subject</c> sent without the API served, is a switch of its own.
/// </summary>
internal sealed partial class FakeRegistry
{
    /// <summary>Serve the referrers API, as ECR does since 2024 (and answer a PUT with a subject with <c>OCI-Subject</c>).</summary>
    public bool ServesReferrersApi { get; set; }

    /// <summary>Answer a PUT with a subject with <c>OCI-Subject</c> although the API is not served (sigstore-js#1183).</summary>
    public bool SendsOciSubjectWithoutApi { get; set; }

    /// <summary>The referrers listed under the tag schema's tag of <paramref name="subject"/>, by digest; empty when there is no such tag.</summary>
    public IReadOnlyList<string> TagSchemaDigests(string host, string repository, string subject)
        => Manifest(host, repository, subject.Replace(':', '-')) is { } index
            ? [.. JsonNode.Parse(index.Bytes)!["manifests"]!.AsArray().Select(entry => (string)entry!["digest"]!)]
            : [];

    /// <summary>The manifests held whose subject is <paramref name="subject"/>, by digest, as the API lists them.</summary>
    public IReadOnlyList<string> ReferrerDigests(string host, string repository, string subject)
        => [.. Referrers(host, repository, subject).Select(entry => (string)entry["digest"]!)];

    private IEnumerable<JsonObject> Referrers(string host, string repository, string subject)
    {
        foreach (var ((h, r, reference), (bytes, mediaType)) in _manifests.OrderBy(pair => pair.Key.Reference, StringComparer.Ordinal))
        {
            if (h != host || r != repository || !reference.StartsWith("sha256:", StringComparison.Ordinal))
            {
                continue;
            }

            var manifest = JsonNode.Parse(bytes)!.AsObject();
            if ((string?)manifest["subject"]?["digest"] != subject)
            {
                continue;
            }

            var entry = new JsonObject { ["mediaType"] = mediaType, ["digest"] = reference, ["size"] = bytes.Length, ["artifactType"] = (string?)manifest["artifactType"] ?? (string?)manifest["config"]?["mediaType"] };
            if (manifest["annotations"] is JsonObject annotations)
            {
                entry["annotations"] = annotations.DeepClone();
            }

            yield return entry;
        }
    }

    private static bool IsReferrersRequest(HttpRequestMessage request, Uri uri) => request.Method == HttpMethod.Get && ReferrersPath().IsMatch(uri.AbsolutePath);

    private HttpResponseMessage ReferrersAnswer(string host, Uri uri)
    {
        var match = ReferrersPath().Match(uri.AbsolutePath);
        if (!ServesReferrersApi)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("404 page not found\n", Encoding.UTF8, "text/plain") };
        }

        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray([.. Referrers(host, match.Groups["repository"].Value, match.Groups["digest"].Value)]),
        };
        var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(index.ToJsonString()) };
        answer.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.index.v1+json");
        return answer;
    }

    private void AddSubjectHeader(HttpResponseMessage created, JsonElement manifest)
    {
        if ((ServesReferrersApi || SendsOciSubjectWithoutApi) && manifest.TryGetProperty("subject", out var subject) && subject.TryGetProperty("digest", out var digest))
        {
            created.Headers.Add("OCI-Subject", digest.GetString());
        }
    }

    [GeneratedRegex(@"\A/v2/(?<repository>.+)/referrers/(?<digest>sha256:[0-9a-f]{64})\z")]
    private static partial Regex ReferrersPath();
}

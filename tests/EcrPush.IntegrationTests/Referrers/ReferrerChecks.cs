using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Referrers;

/// <summary>What the referrer tests ask the real registry directly (docker-registry 2.8 behind its gateway), and the files they attach.</summary>
internal static class ReferrerChecks
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>The digests the referrers tag schema's index of <paramref name="subject"/> lists (<c>sha256-&lt;hex&gt;</c>), in its order; empty when the tag is not there.</summary>
    public static async Task<IReadOnlyList<string>> TagSchemaAsync(LocalEcrStack stack, string region, string repository, string subject)
    {
        var (status, mediaType, bytes) = await GetAsync(stack, region, $"v2/{repository}/manifests/sha256-{subject[7..]}", OciIndex);
        if (status == HttpStatusCode.NotFound)
        {
            return [];
        }

        Assert.Equal((HttpStatusCode.OK, OciIndex), (status, mediaType));
        return [.. JsonNode.Parse(bytes)!["manifests"]!.AsArray().Select(entry => (string)entry!["digest"]!)];
    }

    /// <summary>A manifest as the registry holds it, by tag or digest.</summary>
    public static async Task<JsonNode> ManifestAsync(LocalEcrStack stack, string region, string repository, string reference)
    {
        var (status, _, bytes) = await GetAsync(stack, region, $"v2/{repository}/manifests/{reference}", OciManifest, OciIndex, "application/vnd.docker.distribution.manifest.v2+json");
        Assert.True(status == HttpStatusCode.OK, $"GET {repository}/manifests/{reference}: {(int)status}");
        return JsonNode.Parse(bytes)!;
    }

    public static async Task<(HttpStatusCode Status, string? MediaType, byte[] Body)> GetAsync(LocalEcrStack stack, string region, string path, params string[] accept)
    {
        using var client = stack.CreateRegistryClient(region);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var type in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>A CycloneDX SBOM (its bones) in <paramref name="folder"/>, attached as such.</summary>
    public static EcrAttachment Sbom(string folder, string name = "sbom.cdx.json", string artifactType = EcrAttachment.CycloneDxJson)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"urn:uuid:" + Guid.NewGuid() + "\",\"version\":1}");
        return new EcrAttachment(path, artifactType);
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] Utf8(JsonNode json) => Encoding.UTF8.GetBytes(json.ToJsonString());
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecr.TestStack;

// PutImage through the ECR API, as ECR's shared storage makes it: the tag becomes pullable from the registry.
internal sealed partial class RegistryGateway
{
    /// <summary>
    /// ECR's PutImage with this region's registry beside it, in the repository's turn (so that a manifest PUT through the
    /// registry and a PutImage through the API never interleave): the digest checked against the bytes
    /// (ImageDigestDoesNotMatchException); an immutable tag that exists refused (ImageTagAlreadyExistsException, also for
    /// the same image, aws/containers-roadmap#2179); the manifest PUT into docker-registry under the tag, whose refusal of
    /// a missing blob or child becomes LayersNotFoundException or ReferencedImagesNotFoundException; then moto's PutImage
    /// with the digest, whose answer (ImageAlreadyExistsException for a tag that holds this manifest) is the answer.
    /// Returns the HTTP status and the JSON body.
    /// </summary>
    public async Task<(int Status, string Json)> PutImageAsync(byte[] request, CancellationToken cancellationToken)
    {
        var call = JsonNode.Parse(request)!.AsObject();
        var repository = (string?)call["repositoryName"];
        var tag = (string?)call["imageTag"];
        var manifestText = (string?)call["imageManifest"];
        if (repository is null || manifestText is null)
        {
            return await PassToMotoAsync(call, cancellationToken).ConfigureAwait(false);
        }

        var manifest = Encoding.UTF8.GetBytes(manifestText);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));
        if ((string?)call["imageDigest"] is { } stated && !string.Equals(stated, digest, StringComparison.Ordinal))
        {
            return Error("ImageDigestDoesNotMatchException", $"Manifest digest {digest} does not match the provided digest {stated}.");
        }

        string? mediaType = (string?)call["imageManifestMediaType"];
        if (mediaType is null && JsonNode.Parse(manifestText) is JsonObject parsed)
        {
            mediaType = (string?)parsed["mediaType"];
        }

        var turn = _manifestTurns.GetOrAdd(repository, static _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var known = await DescribeRepositoryAsync(repository, cancellationToken).ConfigureAwait(false);
            if (known is null)
            {
                return await PassToMotoAsync(call, cancellationToken).ConfigureAwait(false);
            }

            if (tag is not null && IsTagImmutable(known.Value.TagMutability, known.Value.ExclusionFilters, tag) && await TagExistsAsync(repository, tag, cancellationToken).ConfigureAwait(false))
            {
                var because = known.Value.TagMutability == "IMMUTABLE" ? "the repository is immutable" : "the tag is immutable";
                _log($"{_region}: refused PutImage {repository}:{tag}: immutable");
                return Error("ImageTagAlreadyExistsException", $"The image tag '{tag}' already exists in the '{repository}' repository and cannot be overwritten because {because}.");
            }

            var (status, answer) = await PutManifestToRegistryAsync(repository, tag ?? digest, manifest, mediaType, cancellationToken).ConfigureAwait(false);
            if (status != 201)
            {
                _log($"{_region}: PutImage {repository}:{tag ?? digest}: the registry answered {status} {answer}");
                return answer.Contains("MANIFEST_UNKNOWN", StringComparison.Ordinal)
                    ? Error("ReferencedImagesNotFoundException", $"The manifest list references images that do not exist in '{repository}': {answer}")
                    : answer.Contains("BLOB_UNKNOWN", StringComparison.Ordinal)
                        ? Error("LayersNotFoundException", $"The layers referenced by the manifest were not found in '{repository}': {answer}")
                        : Error("InvalidParameterException", $"The manifest was refused: {answer}");
            }

            call["imageDigest"] = digest;
            if (mediaType is not null)
            {
                call["imageManifestMediaType"] = mediaType;
            }

            return await PassToMotoAsync(call, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            turn.Release();
        }
    }

    private static (int Status, string Json) Error(string code, string message)
        => (400, new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());

    private async Task<(int Status, string Json)> PassToMotoAsync(JsonObject call, CancellationToken cancellationToken)
    {
        var (error, body) = await _ecr.CallAsync(_region, "PutImage", call, cancellationToken).ConfigureAwait(false);
        return error is null ? (200, body.GetRawText()) : (400, body.ValueKind == JsonValueKind.Object && body.TryGetProperty("__type", out _) ? body.GetRawText() : Error(error, body.GetRawText()).Json);
    }

    /// <summary>The manifest PUT as the registry's own client would send it, with the stack's registry credentials; the status and the answer's body.</summary>
    private async Task<(int Status, string Body)> PutManifestToRegistryAsync(string repository, string reference, byte[] manifest, string? mediaType, CancellationToken cancellationToken)
    {
        var registry = await ConnectRegistryAsync(cancellationToken).ConfigureAwait(false);
        await using (registry.ConfigureAwait(false))
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{LocalEcrStack.RegistryPassword}"));
            var head = string.Create(
                CultureInfo.InvariantCulture,
                $"PUT /v2/{repository}/manifests/{reference} HTTP/1.1\r\nHost: {LocalEcrStack.AccountId}.dkr.ecr.{_region}.amazonaws.com\r\nAuthorization: Basic {credentials}\r\n" +
                $"Content-Type: {mediaType ?? "application/json"}\r\nContent-Length: {manifest.Length}\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n");
            await registry.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
            await registry.WriteAsync(manifest, cancellationToken).ConfigureAwait(false);
            using var response = new MemoryStream();
            await registry.CopyToAsync(response, cancellationToken).ConfigureAwait(false);
            var bytes = response.ToArray();
            var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            return (StatusOf(bytes), end < 0 ? string.Empty : Encoding.UTF8.GetString(bytes, end + 4, bytes.Length - end - 4).Trim());
        }
    }
}

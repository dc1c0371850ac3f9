using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>
/// A manifest's referrers as a registry lists them (OCI distribution spec 1.1): through the referrers API
/// (<c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>) where the registry serves it, else through the referrers tag schema,
/// the index under the tag <c>sha256-&lt;hex&gt;</c> that clients keep themselves. Which one a registry has is told by
/// asking the API, never by the <c>OCI-Subject</c> header of a manifest PUT, which ECR sent where it did not serve the
/// API (sigstore-js#1183).
/// </summary>
internal sealed partial class RegistryClient
{
    private const int MaxReferrerPages = 20;

    /// <summary>The referrers of <paramref name="subject"/>: the API's list where the registry serves it, else the tag schema's index (empty when that tag is not there).</summary>
    public async Task<ReferrersListing> ListReferrersAsync(string repository, string subject, CancellationToken cancellationToken)
    {
        if (await ReferrersApiAsync(repository, subject, cancellationToken).ConfigureAwait(false) is { } listed)
        {
            return new ReferrersListing(ApiServed: true, listed);
        }

        return new ReferrersListing(ApiServed: false, (await ReadTagSchemaAsync(repository, subject, cancellationToken).ConfigureAwait(false)).Entries);
    }

    /// <summary>The tag of the referrers tag schema for a digest: <c>sha256-</c> and its hex.</summary>
    public static string TagSchemaTag(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return digest.Replace(':', '-');
    }

    /// <summary>The index under <paramref name="subject"/>'s referrers tag: its entries, as they are, and whether the tag was there.</summary>
    public async Task<(bool Exists, IReadOnlyList<JsonObject> Entries)> ReadTagSchemaAsync(string repository, string subject, CancellationToken cancellationToken)
    {
        var tag = TagSchemaTag(subject);
        var index = await GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
        if (index is null)
        {
            return (false, []);
        }

        if (index.MediaType != MediaTypes.OciIndex)
        {
            throw new EcrPushException($"The tag {tag} of {RegistryHost}/{repository} holds {index.Digest} ({index.MediaType}), not the OCI image index that lists the referrers of {subject} on a registry without the referrers API: something other than a referrers list took the tag. Delete it.");
        }

        return (true, Entries(JsonNode.Parse(index.Bytes)));
    }

    /// <summary>The list the referrers API gives, following its pages; null when the registry does not serve the API (404, or an answer that is not an index).</summary>
    private Task<IReadOnlyList<JsonObject>?> ReferrersApiAsync(string repository, string subject, CancellationToken cancellationToken)
    {
        var what = $"list the referrers of {subject} in {repository}";
        return transport.RunAsync(what, async ct =>
        {
            var entries = new List<JsonObject>();
            var uri = new Uri(transport.Base, $"{repository}/referrers/{subject}");
            for (var page = 0; page < MaxReferrerPages && uri is not null; page++)
            {
                using var request = transport.Request(HttpMethod.Get, uri);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciIndex));
                using var watch = transport.Watch(ct);
                using var response = await transport.SendAsync(request, what, watch, ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw await transport.FailureAsync(response, what, ct).ConfigureAwait(false);
                }

                JsonNode? index;
                try
                {
                    index = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync(watch.Token).ConfigureAwait(false));
                }
                catch (JsonException)
                {
                    // A 200 that is not JSON (a proxy's page, a registry's catch-all): not the API.
                    return null;
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    throw exception is OperationCanceledException ? transport.Silent(what, exception) : transport.Broken(what, exception);
                }

                if (index is not JsonObject || index["manifests"] is not JsonArray)
                {
                    return null;
                }

                entries.AddRange(Entries(index));
                uri = NextPage(response, uri);
            }

            return (IReadOnlyList<JsonObject>?)entries;
        }, cancellationToken);
    }

    private static List<JsonObject> Entries(JsonNode? index)
        => index is JsonObject { } top && top["manifests"] is JsonArray manifests ? [.. manifests.OfType<JsonObject>().Select(entry => entry.DeepClone().AsObject())] : [];

    /// <summary>The next page a <c>Link: &lt;…&gt;; rel="next"</c> header names, on this registry only; null when there is none.</summary>
    private Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            if (NextLink().Match(link) is { Success: true } next && Uri.TryCreate(current, next.Groups["uri"].Value, out var uri)
                && string.Equals(uri.Authority, transport.Base.Authority, StringComparison.OrdinalIgnoreCase))
            {
                return uri;
            }
        }

        return null;
    }

    [GeneratedRegex("<(?<uri>[^>]+)>\\s*;\\s*rel=\"?next\"?", RegexOptions.CultureInvariant)]
    private static partial Regex NextLink();
}

/// <summary>A manifest's referrers as its registry lists them, and whether the registry keeps the list itself (the referrers API) or its clients do (the tag schema).</summary>
internal sealed record ReferrersListing(bool ApiServed, IReadOnlyList<JsonObject> Entries)
{
    public bool Lists(string digest) => Entries.Any(entry => ManifestJson.String(entry, "digest") == digest);

    public IEnumerable<string> Digests => Entries.Select(entry => ManifestJson.String(entry, "digest")).OfType<string>();
}

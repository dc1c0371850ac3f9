using System.Net;
using System.Net.Http.Headers;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Registry;

/// <summary>
/// Reading from a registry, for an image copied from one ECR repository to another: a manifest GET (its digest
/// computed here, as ECR may leave Docker-Content-Digest out), and a blob GET streamed to its reader. ECR answers a
/// blob GET with a redirect to S3; that request goes without the registry's Authorization header, which S3 would
/// refuse and must never see.
/// </summary>
internal sealed partial class RegistryClient
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private const int MaxRedirects = 5;

    /// <summary>The manifest or index under a tag or digest, exactly as the registry holds it; null when it has none.</summary>
    public async Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"{repository}/manifests/{reference}");
        foreach (var type in new[] { MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest })
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        var what = $"read the manifest {repository}:{reference}";
        using var watch = Watch(cancellationToken);
        using var response = await SendAsync(request, what, watch, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await FailureAsync(response, what, cancellationToken).ConfigureAwait(false);
        }

        if (response.Content.Headers.ContentLength > MaxManifestBytes)
        {
            throw new EcrPushException($"The registry {RegistryHost} answered {what} with {response.Content.Headers.ContentLength} bytes, more than a manifest's {MaxManifestBytes}: it is not a manifest.");
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(watch.Token).ConfigureAwait(false);
        var digest = Sha256.Of(bytes);
        var stated = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        if ((reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest) || (stated is not null && stated != digest))
        {
            throw new EcrPushException($"The registry {RegistryHost} answered {what} with bytes whose digest is {digest}, not {(stated is not null && stated != digest ? stated : reference)}: the manifest was damaged on the way. Nothing was pushed; push again.");
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
        {
            throw new EcrPushException($"The registry {RegistryHost} answered {what} with the media type {mediaType ?? "(none)"}, which is not a Docker v2 or OCI manifest or index: it cannot be copied as it is.");
        }

        return new RegistryManifest(bytes, mediaType!, digest);
    }

    /// <summary>
    /// Opens a blob for reading, following the registry's redirect (ECR's to S3) without the Authorization header. The
    /// stream stops a read that waits longer than the inactivity limit. The caller disposes it.
    /// </summary>
    public async Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var what = $"read the blob {digest} of {repository}";
        var watch = Watch(cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            var uri = new Uri(_base, $"{repository}/blobs/{digest}");
            for (var redirects = 0; ; redirects++)
            {
                response = await GetOnceAsync(uri, what, watch, cancellationToken).ConfigureAwait(false);
                if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
                {
                    response.Dispose();
                    response = null;
                    if (redirects == MaxRedirects)
                    {
                        throw new EcrPushException($"The registry {RegistryHost} redirected the request to {what} more than {MaxRedirects} times. Nothing was pushed; push again.");
                    }

                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    continue;
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw await FailureAsync(response, what, cancellationToken).ConfigureAwait(false);
                }

                var stream = await response.Content.ReadAsStreamAsync(watch.Token).ConfigureAwait(false);
                var reading = new WatchedReadStream(stream, response, watch, inactivityTimeout);
                response = null;
                watch = null;
                return reading;
            }
        }
        finally
        {
            response?.Dispose();
            watch?.Dispose();
        }
    }

    private async Task<HttpResponseMessage> GetOnceAsync(Uri uri, string what, CancellationTokenSource watch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);

        // Credentials go to the registry's own host only: a redirect elsewhere (S3's presigned URL) carries its own.
        if (string.Equals(uri.Authority, _base.Authority, StringComparison.OrdinalIgnoreCase) && uri.Scheme == Uri.UriSchemeHttps)
        {
            request.Headers.Authorization = _authorization;
        }

        return await SendAsync(request, what, watch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A response body whose every read pushes the inactivity limit back; disposing it ends the response.</summary>
    private sealed class WatchedReadStream(Stream inner, HttpResponseMessage response, CancellationTokenSource watch, TimeSpan limit) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            watch.CancelAfter(limit);
            return inner.Read(buffer, offset, count);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            watch.CancelAfter(limit);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch.Token);
            return await inner.ReadAsync(buffer, both.Token).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
                watch.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>A manifest or index as a registry gave it: the exact bytes, their media type, and their digest computed here.</summary>
internal sealed record RegistryManifest(byte[] Bytes, string MediaType, string Digest)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>The same bytes, ready for <see cref="RegistryClient.PutManifestAsync"/>.</summary>
    public OciManifest ToUpload() => new(MediaType, Bytes, Digest, ConfigDigest: null, Blobs: [], Children: []);
}

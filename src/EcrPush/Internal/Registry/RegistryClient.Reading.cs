using System.Net;
using System.Net.Http.Headers;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>
/// Reading a registry, for an image whose source is a registry (an image in ECR, or the first destination of an engine
/// push): a manifest GET (its digest computed here, as ECR may leave Docker-Content-Digest out), and a blob GET streamed
/// to its reader. ECR answers a blob GET with a redirect to S3; that request goes without the registry's credentials,
/// which S3 would refuse and must never see (<see cref="RegistryTransport.Request(HttpMethod, Uri)"/>).
/// </summary>
internal sealed partial class RegistryClient
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private const int MaxRedirects = 5;

    /// <summary>The manifest or index under a tag or digest, exactly as the registry holds it; null when it has none.</summary>
    public Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        var what = $"read the manifest {repository}{(reference.StartsWith("sha256:", StringComparison.Ordinal) ? "@" : ":")}{reference}";
        return transport.RunAsync(what, async ct =>
        {
            using var request = transport.Request(HttpMethod.Get, $"{repository}/manifests/{reference}");
            foreach (var type in MediaTypes.All)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }

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

            if (response.Content.Headers.ContentLength > MaxManifestBytes)
            {
                throw new EcrPushException($"The registry {RegistryHost} answered when asked to {what} with {response.Content.Headers.ContentLength} bytes, more than a manifest's {MaxManifestBytes}: it is not a manifest.");
            }

            byte[] bytes;
            try
            {
                bytes = await response.Content.ReadAsByteArrayAsync(watch.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw exception is OperationCanceledException ? transport.Silent(what, exception) : transport.Broken(what, exception);
            }

            var digest = Sha256.Of(bytes);
            var stated = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
            if ((reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest) || (stated is not null && stated != digest))
            {
                throw new EcrPushException($"The registry {RegistryHost} answered when asked to {what} with bytes whose digest is {digest}, not {(stated is not null && stated != digest ? stated : reference)}: the manifest was damaged on the way. Push again.");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!MediaTypes.IsIndex(mediaType) && !MediaTypes.IsManifest(mediaType))
            {
                throw new EcrPushException($"The registry {RegistryHost} answered when asked to {what} with the media type {mediaType ?? "(none)"}, which is not a Docker v2 or OCI manifest or index: it cannot be copied as it is.");
            }

            return new RegistryManifest(bytes, mediaType!, digest);
        }, cancellationToken);
    }

    /// <summary>
    /// Opens a blob for reading, following the registry's redirect (ECR's to S3). A read that waits longer than the
    /// inactivity limit is stopped. The caller disposes the stream.
    /// </summary>
    public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var what = $"read the blob {digest} of {repository}";
        return transport.RunAsync(what, async ct =>
        {
            var watch = transport.Watch(ct);
            HttpResponseMessage? response = null;
            try
            {
                var uri = new Uri(transport.Base, $"{repository}/blobs/{digest}");
                for (var redirects = 0; ; redirects++)
                {
                    using (var request = transport.Request(HttpMethod.Get, uri))
                    {
                        response = await transport.SendAsync(request, what, watch, ct).ConfigureAwait(false);
                    }

                    if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
                    {
                        response.Dispose();
                        response = null;
                        if (redirects == MaxRedirects)
                        {
                            throw new EcrPushException($"The registry {RegistryHost} redirected the request to {what} more than {MaxRedirects} times.");
                        }

                        uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                        continue;
                    }

                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw await transport.FailureAsync(response, what, ct).ConfigureAwait(false);
                    }

                    Stream reading = new WatchedReadStream(await response.Content.ReadAsStreamAsync(watch.Token).ConfigureAwait(false), response, watch, transport, what);
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
        }, cancellationToken);
    }

    /// <summary>
    /// A response body whose every read pushes the inactivity limit back, and whose failures are this registry's
    /// (not the destination's the bytes go to); disposing it ends the response.
    /// </summary>
    private sealed class WatchedReadStream(Stream inner, HttpResponseMessage response, CancellationTokenSource watch, RegistryTransport transport, string what) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            watch.CancelAfter(transport.InactivityTimeout);
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                throw transport.Broken(what, exception);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            watch.CancelAfter(transport.InactivityTimeout);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch.Token);
            try
            {
                return await inner.ReadAsync(buffer, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested && watch.IsCancellationRequested)
            {
                throw transport.Silent(what, exception);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                throw transport.Broken(what, exception);
            }
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
internal sealed record RegistryManifest(byte[] Bytes, string MediaType, string Digest);

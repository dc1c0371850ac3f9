using System.Net;
using System.Net.Http.Headers;
using Ecr.Internal.Images;

namespace Ecr.Internal.Registry;

/// <summary>
/// The OCI distribution API as a push to ECR speaks it: blob HEAD, upload (a mount attempt, POST, then one PUT or parts:
/// RegistryClient.Upload.cs), manifest PUT with its media type, and for reading a source, manifest and blob GET
/// (RegistryClient.Reading.cs). Each public method is one operation, run by the transport (credentials, the inactivity
/// limit, retries); a refusal is a <see cref="RegistryException"/> with the registry's code.
/// </summary>
internal sealed partial class RegistryClient(RegistryTransport transport)
{
    public string RegistryHost => transport.RegistryHost;

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var what = $"check the blob {digest} in {repository}";
        return transport.RunAsync(what, async ct =>
        {
            using var request = transport.Request(HttpMethod.Head, $"{repository}/blobs/{digest}");
            using var watch = transport.Watch(ct);
            using var response = await transport.SendAsync(request, what, watch, ct).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => true,
                HttpStatusCode.NotFound => false,
                _ => throw await transport.FailureAsync(response, what, ct).ConfigureAwait(false),
            };
        }, cancellationToken);
    }

    /// <summary>PUTs a manifest or index under a tag or its digest, with its media type as Content-Type.</summary>
    public Task PutManifestAsync(string repository, string reference, ImageManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var what = $"put the {(manifest.IsIndex ? "index" : "manifest")} {manifest.Digest} ({manifest.MediaType}) as {repository}:{reference}";
        return transport.RunAsync(what, async ct =>
        {
            using var request = transport.Request(HttpMethod.Put, $"{repository}/manifests/{reference}");
            request.Content = new ByteArrayContent(manifest.Bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
            using var watch = transport.Watch(ct);
            using var response = await transport.SendAsync(request, what, watch, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw await transport.FailureAsync(response, what, ct).ConfigureAwait(false);
            }
        }, cancellationToken);
    }
}

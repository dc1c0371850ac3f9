namespace Ecr.Internal.Registry;

/// <summary>
/// The upload of a blob that streams from another registry (an image copied between ECR repositories, regions or
/// accounts): POST for an upload session, then one PUT whose body is the source's GET, hashed as it passes. The bytes
/// that would complete the blob are held back when the hash does not match, so the destination never completes a
/// blob that the source damaged. The PUT is the one a blob from a file goes up with; only where the bytes come from differs.
/// </summary>
internal sealed partial class RegistryClient
{
    public async Task UploadBlobFromAsync(string repository, string digest, long size, Stream source, string sourceName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var location = await StartUploadAsync(repository, digest, mountFrom: null, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("An upload started without a mount cannot end as one.");
        await PutBlobAsync(repository, location, digest, progress => DigestCheckingStream.OfCopy(source, digest, size, sourceName, progress), cancellationToken).ConfigureAwait(false);
    }
}

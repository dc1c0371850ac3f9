using System.Diagnostics;
using System.Globalization;
using Ecr.Internal.Destinations;
using Ecr.Internal.Images;
using Ecr.Internal.Registry;

namespace Ecr.Internal.Sources;

/// <summary>
/// An image from an OCI layout folder or an image archive (OCI or docker-archive), pushed without an engine: read whole
/// before any repository is created, so that a damaged input leaves none behind; written by the writer into each
/// destination; an archive's scratch folder deleted when the push is done.
/// </summary>
internal sealed class ImageFileSource(ImageFileSpec file, IPushLog log) : IImageSource
{
    private ImageGraph? _image;

    public string Name => file.ToString();

    public async Task<FoundImage> FindAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _image = file.Kind == ImageFileKind.OciLayout
            ? await OciLayoutReader.ReadGraphAsync(file.Path, file, $"The OCI layout {file.Path}", log, scratchDirectory: null, cancellationToken).ConfigureAwait(false)
            : await ImageArchiveReader.OpenAsync(file, log, cancellationToken).ConfigureAwait(false);
        var root = _image.Root;
        var blobs = root.AllBlobs.ToList();
        var what = root.IsIndex ? $"an index of {string.Join(", ", root.Children.Select(c => c.Platform))}" : "an image";
        var referrers = _image.Referrers.Count == 0 ? string.Empty : $", and {_image.Referrers.Count} referrers ({string.Join(", ", _image.Referrers.Select(r => ArtifactManifests.TypeOf(r.Root)))})";
        log.Information(string.Create(CultureInfo.InvariantCulture, $"Read {Name}: {what}, {root.Digest}, {blobs.Count} blobs of {blobs.Sum(b => b.Size)} bytes{referrers}, in {clock.Elapsed.TotalSeconds:0.00} s"));
        return new FoundImage(root.Identity, root.Platforms);
    }

    public Task<WriteResult> WriteAsync(DestinationContext destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.Writer.WriteAsync(_image!, destination.RegistryPath, tags, file.UploadParallelism, cancellationToken);
    }

    public Task<ImageGraph?> GraphAsync(DestinationContext destination, CancellationToken cancellationToken) => Task.FromResult(_image);

    public void Settled(int index, DestinationContext? destination, string? digest, Exception? failure)
    {
    }

    public ValueTask DisposeAsync()
    {
        _image?.Dispose();
        return ValueTask.CompletedTask;
    }
}

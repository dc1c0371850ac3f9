using System.Text.RegularExpressions;
using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>The checks of the sources beside the engine: one source only, the path there and of the right kind.</summary>
internal static partial class SettingsValidator
{
    private const int MaxUploadParallelism = 16;

    private static SourceSpec? CheckImageFileSource(EcrPushSettings settings, List<string> problems)
    {
        var source = settings.SourceOciLayout is { } given ? $"SourceOciLayout {Show(given)}" : $"SourceImageArchive {Show(settings.SourceImageArchive!)}";
        if (settings.SourceImageTag is { } tag)
        {
            problems.Add($"SourceImageTag {Show(tag)} is set, but the source is {source}, which takes its tag after a colon (PATH:TAG):\nreset SourceImageTag, and add :{tag} to the path if the image is to be picked by it.");
        }

        if (settings.ImageIdentity is { } identity && identity != ImageIdentity.ImageName)
        {
            problems.Add($"ImageIdentity is {identity}, which names an engine image, but the source is {source}: reset ImageIdentity.");
        }

        var parallelism = settings.UploadParallelism ?? ImageFileSpec.DefaultUploadParallelism;
        if (parallelism is < 1 or > MaxUploadParallelism)
        {
            problems.Add($"UploadParallelism is {parallelism}; it must be between 1 and {MaxUploadParallelism} blobs at once. Reset it for the default, {ImageFileSpec.DefaultUploadParallelism}.");
        }

        foreach (var platform in settings.Platforms)
        {
            if (platform is null || !Platform().IsMatch(platform))
            {
                problems.Add($"Platforms has {(platform is null ? "null" : Show(platform))}, which is not a platform: os/architecture[/variant] in lowercase, e.g. linux/amd64 or linux/arm64/v8.");
            }
        }

        var file = settings.SourceOciLayout is { } layout
            ? CheckImageFile(ImageFileKind.OciLayout, layout, problems)
            : CheckImageFile(ImageFileKind.Archive, settings.SourceImageArchive!, problems);
        return file is null ? null : file with { Platforms = settings.Platforms, IncludeAttestations = settings.IncludeAttestations, UploadParallelism = parallelism };
    }

    private static void CheckImageFileOptionsWithoutImageFile(EcrPushSettings settings, List<string> problems)
    {
        if (settings.Platforms.Count > 0 || !settings.IncludeAttestations || settings.UploadParallelism is not null)
        {
            problems.Add("Platforms, IncludeAttestations or UploadParallelism is set, but they apply to an OCI layout or image archive only, and the source is the Docker engine:\nreset them, or set SourceOciLayout or SourceImageArchive.");
        }
    }

    /// <summary>A layout is a folder and an archive a file; each is named in its own setting and checked by its own marks.</summary>
    private static ImageFileSpec? CheckImageFile(ImageFileKind kind, string value, List<string> problems)
    {
        var isLayout = kind == ImageFileKind.OciLayout;
        var (setting, thing, exists, isTheOtherKind, otherKindHint) = isLayout
            ? (nameof(EcrPushSettings.SourceOciLayout), "folder", (Func<string, bool>)Directory.Exists, (Func<string, bool>)File.Exists, "a file, not a folder: an image archive goes in SourceImageArchive")
            : (nameof(EcrPushSettings.SourceImageArchive), "file", File.Exists, Directory.Exists, "a folder, not a file: an OCI layout goes in SourceOciLayout");
        var (path, tag, digest) = SplitReference(setting, value, exists, problems);
        if (path is null)
        {
            return null;
        }

        if (!exists(path))
        {
            problems.Add(isTheOtherKind(path)
                ? $"{setting} {Show(value)}: {Show(path)} is {otherKindHint}."
                : $"{setting} {Show(value)}: the {thing} {Show(path)} does not exist (check the path; a relative path is read from {Show(Environment.CurrentDirectory)}).");
            return null;
        }

        var notAnImage = isLayout ? NotAnOciLayout(value, path) : NotAnImageArchive(value, path);
        if (notAnImage is not null)
        {
            problems.Add(notAnImage);
            return null;
        }

        return new ImageFileSpec(kind, path, tag, digest);
    }

    private static string? NotAnOciLayout(string value, string path) =>
        File.Exists(System.IO.Path.Combine(path, "index.json")) && File.Exists(System.IO.Path.Combine(path, "oci-layout"))
            ? null
            : $"SourceOciLayout {Show(value)} is not an OCI image layout: the folder has no index.json or no oci-layout file.\nWrite one with e.g. `skopeo copy docker-daemon:web:1 oci:{path}:1`, or point at the layout's top folder.";

    private static string? NotAnImageArchive(string value, string path) =>
        ImageArchiveReader.LooksLikeArchive(path)
            ? null
            : $"SourceImageArchive {Show(value)} is not an image archive: it is neither a tar nor gzip-compressed.\nGive the file that `docker save -o`, `skopeo copy … oci-archive:` or the .NET SDK's ContainerArchiveOutputPath wrote.";

    /// <summary>PATH, PATH:TAG or PATH@DIGEST; a path that exists as it is wins (a Windows drive has a colon too).</summary>
    private static (string? Path, string? Tag, string? Digest) SplitReference(string setting, string value, Func<string, bool> exists, List<string> problems)
    {
        if (value.Length == 0 || exists(value))
        {
            if (value.Length == 0)
            {
                problems.Add($"{setting} is empty: give a path, or reset it.");
                return (null, null, null);
            }

            return (value, null, null);
        }

        var lastSeparator = Math.Max(value.LastIndexOf('/'), value.LastIndexOf('\\'));
        if (value.LastIndexOf('@') is var at && at > lastSeparator)
        {
            var digest = value[(at + 1)..];
            if (!Names.Digest().IsMatch(digest))
            {
                problems.Add($"{setting} {Show(value)} names the digest {Show(digest)}, which is not one: sha256: and 64 lowercase hex digits.");
                return (null, null, null);
            }

            return (value[..at], null, digest);
        }

        if (value.LastIndexOf(':') is var colon && colon > lastSeparator && colon > 1)
        {
            var tag = value[(colon + 1)..];
            if (!CheckTag($"{setting} {Show(value)}: its tag", tag, problems))
            {
                return (null, null, null);
            }

            return (value[..colon], tag, null);
        }

        return (value, null, null);
    }

    [GeneratedRegex(@"\A[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Platform();
}

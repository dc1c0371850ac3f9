using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>The checks of where the image comes from: a Docker reference, or an image ID.</summary>
internal static partial class SettingsValidator
{
    /// <summary>Every kind of source, for the messages that ask for one: a user who set none, or two, learns of all four.</summary>
    private const string SourceKinds = "SourceImageName or SourceImageId (an image in the Docker engine), SourceOciLayout (an OCI image layout),\nSourceImageArchive (a docker-archive or OCI archive), SourceRepositoryName (an image already in ECR)";

    private static SourceSpec? CheckSource(EcrPushSettings settings, List<string> problems)
    {
        if (settings.ImageIdentity is { } identity && !Enum.IsDefined(identity))
        {
            problems.Add($"ImageIdentity {(int)identity} is not one of ImageName, ImageId: set one of them, or reset it (SourceImageName or SourceImageId alone tells which).");
            return null;
        }

        if (SourcesGiven(settings) is { Count: > 1 } given)
        {
            problems.Add($"More than one source image is set ({string.Join(", ", given)}): a push takes exactly one.\nKeep one of {SourceKinds},\nand reset the others.");
            return null;
        }

        if (IsEcrSource(settings))
        {
            return CheckEcrSource(settings, problems);
        }

        if (settings.SourceOciLayout is not null || settings.SourceImageArchive is not null)
        {
            return CheckImageFileSource(settings, problems);
        }

        CheckImageFileOptionsWithoutImageFile(settings, problems);
        return settings.SourceImageId is { } id ? CheckSourceImageId(settings, id, problems) : CheckSourceImageName(settings, problems);
    }

    /// <summary>The sources that are set, each with its value, in the order <see cref="SourceKinds"/> names them.</summary>
    private static List<string> SourcesGiven(EcrPushSettings settings) => [.. new[]
    {
        (nameof(settings.SourceImageName), settings.SourceImageName),
        (nameof(settings.SourceImageId), settings.SourceImageId),
        (nameof(settings.SourceOciLayout), settings.SourceOciLayout),
        (nameof(settings.SourceImageArchive), settings.SourceImageArchive),
        (nameof(settings.SourceRepositoryName), settings.SourceRepositoryName),
    }.Where(pair => pair.Item2 is not null).Select(pair => $"{pair.Item1} {Show(pair.Item2!)}")];

    /// <summary>An engine image by its ID: SourceImageId alone is enough; an ImageIdentity given with it must say the same.</summary>
    private static EngineImageSpec? CheckSourceImageId(EcrPushSettings settings, string id, List<string> problems)
    {
        if (settings.ImageIdentity == ImageIdentity.ImageName)
        {
            problems.Add($"ImageIdentity is ImageName, but the image is given by SourceImageId {Show(id)}: reset ImageIdentity (SourceImageId alone is enough), or set it to ImageId.");
            return null;
        }

        if (settings.SourceImageTag is { } tag)
        {
            problems.Add($"SourceImageTag {Show(tag)} is set with SourceImageId {Show(id)}: an ID names one image already; reset SourceImageTag.");
            return null;
        }

        return Check(nameof(settings.SourceImageId), id, Names.ImageId(), "sha256: and 64 lowercase hex digits, or a lowercase hex prefix of them", problems)
            ? new EngineImageSpec(id, IsId: true)
            : null;
    }

    /// <summary>An engine image by its name, or no source at all.</summary>
    private static EngineImageSpec? CheckSourceImageName(EcrPushSettings settings, List<string> problems)
    {
        if (settings.ImageIdentity == ImageIdentity.ImageId)
        {
            problems.Add(settings.SourceImageName is { } given
                ? $"ImageIdentity is ImageId, but the image is given by SourceImageName {Show(given)}: reset ImageIdentity, or give the image's ID in SourceImageId instead."
                : "SourceImageId is not set, but ImageIdentity is ImageId: set it to the image's ID (sha256:…, or a prefix such as the 12 characters `docker images` shows).");
            return null;
        }

        if (settings.SourceImageName is not { } name)
        {
            problems.Add($"No source image is set: set one of {SourceKinds}\n(e.g. SetSourceImageName(\"web:1.4.2\")).");
            CheckOptionalTag(nameof(settings.SourceImageTag), settings.SourceImageTag, problems);
            return null;
        }

        return CheckSourceReference(name, settings.SourceImageTag, problems);
    }

    /// <summary>
    /// A source reference read as Docker reads one, <c>name[:tag][@digest]</c>: a tag follows the last colon only
    /// after the last slash (<c>registry:5000/web</c> has none). With a digest the engine finds the image by it.
    /// </summary>
    private static EngineImageSpec? CheckSourceReference(string reference, string? separateTag, List<string> problems)
    {
        var name = reference;
        string? digest = null;
        if (name.IndexOf('@', StringComparison.Ordinal) is var at and >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (!Names.Digest().IsMatch(digest))
            {
                problems.Add($"SourceImageName {Show(reference)} has the digest {Show(digest)}, which is not a digest:\nsha256: and 64 lowercase hex digits (as `docker images --digests` shows), e.g. web@sha256:4f53….");
                return null;
            }
        }

        string? tag = null;
        if (name.IndexOf(':', name.LastIndexOf('/') + 1) is var colon and >= 0)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!CheckTag($"SourceImageName {Show(reference)}: its tag", tag, problems))
            {
                return null;
            }
        }

        var ok = Check(nameof(EcrPushSettings.SourceImageName), name, Names.ImageName(), "a Docker image reference: lowercase letters, digits and separators (. _ __ -), path components joined by /,\noptionally after a registry host[:port]/, then an optional :tag or @sha256:digest", problems);
        ok &= CheckOptionalTag(nameof(EcrPushSettings.SourceImageTag), separateTag, problems);
        if (!ok)
        {
            return null;
        }

        if (separateTag is not null && digest is not null)
        {
            problems.Add($"SourceImageName {Show(reference)} names a digest, and SourceImageTag is {Show(separateTag)}:\na digest names one image already; reset SourceImageTag, or take the digest out of the name.");
            return null;
        }

        if (separateTag is not null && tag is not null && !string.Equals(separateTag, tag, StringComparison.Ordinal))
        {
            problems.Add($"SourceImageName {Show(reference)} names the tag {Show(tag)}, but SourceImageTag is {Show(separateTag)}: give the tag once, in the name or in SourceImageTag.");
            return null;
        }

        return digest is not null
            ? new EngineImageSpec($"{name}@{digest}", IsId: false)
            : new EngineImageSpec($"{name}:{tag ?? separateTag ?? Names.DefaultTag}", IsId: false);
    }
}

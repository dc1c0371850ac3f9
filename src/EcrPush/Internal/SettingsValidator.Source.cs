namespace Ecr.Internal;

/// <summary>The checks of where the image comes from: a Docker reference, or an image ID.</summary>
internal static partial class SettingsValidator
{
    private static SourceImage? CheckSource(EcrPushSettings settings, List<string> problems)
    {
        if (IsEcrSource(settings))
        {
            return CheckEcrSource(settings, problems);
        }

        if (settings.SourceOciLayout is not null || settings.SourceImageArchive is not null)
        {
            return CheckArtifactSource(settings, problems);
        }

        CheckArtifactOptionsWithoutArtifact(settings, problems);
        switch (settings.ImageIdentity)
        {
            case ImageIdentity.ImageName:
                if (settings.SourceImageId is not null)
                {
                    problems.Add($"SourceImageId {Show(settings.SourceImageId)} is set, but ImageIdentity is ImageName: set ImageIdentity to ImageId to push by ID, or reset SourceImageId.");
                }

                if (settings.SourceImageName is null)
                {
                    problems.Add("SourceImageName is not set: name the local image to push (e.g. SetSourceImageName(\"web:1.4.2\")), or push by ID with SetImageIdentity(ImageIdentity.ImageId) and SetSourceImageId(...).");
                    CheckOptional(nameof(settings.SourceImageTag), settings.SourceImageTag, Names.Tag(), TagRule, problems);
                    return null;
                }

                return CheckSourceReference(settings.SourceImageName, settings.SourceImageTag, problems);

            case ImageIdentity.ImageId:
                if (settings.SourceImageName is not null || settings.SourceImageTag is not null)
                {
                    problems.Add("SourceImageName or SourceImageTag is set, but ImageIdentity is ImageId: reset them, or set ImageIdentity to ImageName to push by name.");
                }

                if (settings.SourceImageId is null)
                {
                    problems.Add("SourceImageId is not set, but ImageIdentity is ImageId: set it to the image's ID (sha256:…, or a prefix such as the 12 characters `docker images` shows).");
                    return null;
                }

                return Check(nameof(settings.SourceImageId), settings.SourceImageId, Names.ImageId(), "sha256: and 64 lowercase hex digits, or a lowercase hex prefix of them", problems)
                    ? new SourceImage(settings.SourceImageId, IsId: true)
                    : null;

            default:
                problems.Add($"ImageIdentity {(int)settings.ImageIdentity} is not one of ImageName, ImageId.");
                return null;
        }
    }

    /// <summary>
    /// A source reference read as Docker reads one, <c>name[:tag][@digest]</c>: a tag follows the last colon only
    /// after the last slash (<c>registry:5000/web</c> has none). With a digest the engine finds the image by it.
    /// </summary>
    private static SourceImage? CheckSourceReference(string reference, string? separateTag, List<string> problems)
    {
        var name = reference;
        string? digest = null;
        if (name.IndexOf('@', StringComparison.Ordinal) is var at and >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
            if (!Names.Digest().IsMatch(digest))
            {
                problems.Add($"SourceImageName {Show(reference)} has the digest {Show(digest)}, which is not a digest: sha256: and 64 lowercase hex digits (as `docker images --digests` shows), e.g. web@sha256:4f53….");
                return null;
            }
        }

        string? tag = null;
        if (name.IndexOf(':', name.LastIndexOf('/') + 1) is var colon and >= 0)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
            if (!Check($"The tag in SourceImageName {Show(reference)},", tag, Names.Tag(), TagRule, problems))
            {
                return null;
            }
        }

        var ok = Check(nameof(EcrPushSettings.SourceImageName), name, Names.ImageName(), "a Docker image reference: lowercase letters, digits and separators (. _ __ -), path components joined by /, optionally after a registry host[:port]/, then an optional :tag or @sha256:digest", problems);
        ok &= CheckOptional(nameof(EcrPushSettings.SourceImageTag), separateTag, Names.Tag(), TagRule, problems);
        if (!ok)
        {
            return null;
        }

        if (separateTag is not null && digest is not null)
        {
            problems.Add($"SourceImageName {Show(reference)} names a digest, and SourceImageTag is {Show(separateTag)}: a digest names one image already; reset SourceImageTag, or take the digest out of the name.");
            return null;
        }

        if (separateTag is not null && tag is not null && !string.Equals(separateTag, tag, StringComparison.Ordinal))
        {
            problems.Add($"SourceImageName {Show(reference)} names the tag {Show(tag)}, but SourceImageTag is {Show(separateTag)}: give the tag once, in the name or in SourceImageTag.");
            return null;
        }

        return digest is not null
            ? new SourceImage($"{name}@{digest}", IsId: false)
            : new SourceImage($"{name}:{tag ?? separateTag ?? Names.DefaultTag}", IsId: false);
    }
}

using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>The checks of an image already in ECR as the source: one source only, its names, and options that cannot apply to it.</summary>
internal static partial class SettingsValidator
{
    private static bool IsEcrSource(EcrPushSettings settings)
        => settings.SourceRepositoryName is not null || settings.SourceImageDigest is not null || settings.SourceRegion is not null || settings.SourceRegistryId is not null;

    private static SourceImage? CheckEcrSource(EcrPushSettings settings, List<string> problems)
    {
        if (settings.SourceRepositoryName is null)
        {
            var set = new[] { (nameof(settings.SourceImageDigest), settings.SourceImageDigest), (nameof(settings.SourceRegion), settings.SourceRegion), (nameof(settings.SourceRegistryId), settings.SourceRegistryId) }
                .Where(pair => pair.Item2 is not null).Select(pair => $"{pair.Item1} {Show(pair.Item2!)}").ToList();
            problems.Add($"{string.Join(", ", set)} {(set.Count == 1 ? "is" : "are")} set, which name{(set.Count == 1 ? "s" : string.Empty)} an image already in ECR, but SourceRepositoryName is not:\nset SourceRepositoryName to the repository that holds the image (e.g. SetSourceRepositoryName(\"team/web\")), or reset {(set.Count == 1 ? "it" : "them")}.");
            return null;
        }

        if (settings.ImageIdentity is { } identity && identity != ImageIdentity.ImageName)
        {
            problems.Add($"ImageIdentity is {identity}, which names an engine image, but the source is the ECR repository {Show(settings.SourceRepositoryName)}: reset ImageIdentity.");
        }

        var ok = CheckRepositoryName(settings.SourceRepositoryName, problems, nameof(settings.SourceRepositoryName)) is not null;
        ok &= CheckOptionalTag(nameof(settings.SourceImageTag), settings.SourceImageTag, problems);
        ok &= CheckOptional(nameof(settings.SourceImageDigest), settings.SourceImageDigest, Names.Digest(), "a digest: sha256: and 64 lowercase hex digits, as ECR lists it (imageDigest)", problems);
        ok &= CheckOptional(nameof(settings.SourceRegion), settings.SourceRegion, Names.Region(), "an AWS region name such as us-east-1", problems);
        ok &= CheckOptional(nameof(settings.SourceRegistryId), settings.SourceRegistryId, Names.RegistryId(), "a 12-digit AWS account ID", problems);
        if (settings.SourceImageTag is not null && settings.SourceImageDigest is not null)
        {
            problems.Add($"SourceImageTag {Show(settings.SourceImageTag)} and SourceImageDigest {Show(settings.SourceImageDigest)} are both set: a digest names one image already; set one of them.");
            ok = false;
        }

        if (settings.Platforms.Count > 0 || !settings.IncludeAttestations)
        {
            problems.Add("Platforms or IncludeAttestations is set, but an image already in ECR is pushed whole, so that its digest stays the same:\nreset Platforms and IncludeAttestations.");
            ok = false;
        }

        var parallelism = settings.UploadParallelism ?? ArtifactSource.DefaultUploadParallelism;
        if (parallelism is < 1 or > MaxUploadParallelism)
        {
            problems.Add($"UploadParallelism is {parallelism}; it must be between 1 and {MaxUploadParallelism} blobs at once. Reset it for the default, {ArtifactSource.DefaultUploadParallelism}.");
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        var source = new EcrImageSource(settings.SourceRepositoryName, settings.SourceImageTag ?? (settings.SourceImageDigest is null ? Names.DefaultTag : null), settings.SourceImageDigest, settings.SourceRegion, settings.SourceRegistryId)
        {
            UploadParallelism = parallelism,
        };
        return new SourceImage(source.ToString(), IsId: false) { EcrImage = source };
    }
}

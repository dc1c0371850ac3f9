using System.Globalization;
using Ecr.Internal.Images;
using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>The checks of the files to attach, of IncludeReferrers, and of the wait for ECR's managed signing.</summary>
internal static partial class SettingsValidator
{
    private static readonly TimeSpan MaxSigningTimeout = TimeSpan.FromHours(1);

    // IANA's top-level media types (RFC 6838 section 4.2, and the registry since): a type outside them is a typo or a nickname.
    private static readonly string[] TopLevelTypes = ["application", "audio", "example", "font", "haptics", "image", "message", "model", "multipart", "text", "video"];

    // What an artifact type is often written as, and the media type meant.
    private static readonly Dictionary<string, string> ArtifactTypeNicknames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cyclonedx"] = EcrAttachment.CycloneDxJson,
        ["cyclonedx+json"] = EcrAttachment.CycloneDxJson,
        ["sbom"] = EcrAttachment.CycloneDxJson,
        ["spdx"] = EcrAttachment.SpdxJson,
        ["spdx+json"] = EcrAttachment.SpdxJson,
        ["in-toto"] = EcrAttachment.InTotoJson,
        ["intoto"] = EcrAttachment.InTotoJson,
        ["sigstore"] = EcrAttachment.SigstoreBundle,
    };

    private static ReferrerPlan CheckReferrers(EcrPushSettings settings, SourceSpec? source, List<string> problems)
    {
        var files = new List<AttachedFile>();
        var attachments = settings.Attachments ?? [];
        for (var i = 0; i < attachments.Count; i++)
        {
            if (CheckAttachment(i, attachments[i], problems) is { } file)
            {
                if (files.Any(f => f.Path == file.Path && f.ArtifactType == file.ArtifactType))
                {
                    problems.Add($"Attachments[{i}] {Show(attachments[i].Path)} ({attachments[i].ArtifactType}) is listed more than once: list each file once.");
                    continue;
                }

                files.Add(file);
            }
        }

        if (!settings.IncludeReferrers && source is EngineImageSpec)
        {
            problems.Add("IncludeReferrers is off, but the source is the Docker engine, whose images carry no referrers:\nreset it (attached files go with the image either way), or set SourceOciLayout, SourceImageArchive or SourceRepositoryName.");
        }

        if (settings.SigningTimeout is { } timeout)
        {
            if (!settings.WaitForSigning)
            {
                problems.Add("SigningTimeout is set, but WaitForSigning is off: EnableWaitForSigning() to wait for ECR's managed signing, or reset SigningTimeout.");
            }

            if (timeout <= TimeSpan.Zero || timeout > MaxSigningTimeout)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"SigningTimeout is {timeout}; it must be more than 0 and at most {MaxSigningTimeout.TotalHours:0} hour. Reset it for the default, {ReferrerPlan.DefaultSigningTimeout.TotalMinutes:0} minutes."));
            }
        }

        return new ReferrerPlan(files, settings.WaitForSigning, settings.SigningTimeout ?? ReferrerPlan.DefaultSigningTimeout);
    }

    /// <summary>One file to attach: a well-formed media type ECR takes, and a file that is there, readable and not empty (its digest taken now).</summary>
    private static AttachedFile? CheckAttachment(int index, EcrAttachment? attachment, List<string> problems)
    {
        var setting = $"Attachments[{index}]";
        if (attachment is null)
        {
            problems.Add($"{setting} is null: remove the entry.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(attachment.Path))
        {
            problems.Add($"{setting} has no Path: give the file to attach, e.g. new EcrAttachment(\"artifacts/sbom.cdx.json\", EcrAttachment.CycloneDxJson).");
            return null;
        }

        var named = $"{setting} {Show(attachment.Path)}";
        var typeOk = CheckArtifactType(named, attachment.ArtifactType, problems);
        var path = System.IO.Path.GetFullPath(attachment.Path);
        if (!File.Exists(path))
        {
            problems.Add(Directory.Exists(path)
                ? $"{named} is a folder: attach a file (an SBOM, a statement), not a folder."
                : $"{named}: the file does not exist (relative paths are read from {Show(Environment.CurrentDirectory)}). Write it before the push (the SBOM step), or correct the path.");
            return null;
        }

        long size;
        string digest;
        DateTimeOffset written;
        try
        {
            var info = new FileInfo(path);
            (size, written) = (info.Length, info.LastWriteTimeUtc);
            digest = Sha256.OfFile(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{named} cannot be read ({exception.Message}): give the build read access to it.");
            return null;
        }

        if (size == 0)
        {
            problems.Add($"{named} is empty: a step that writes nothing (an SBOM tool that failed) leaves such a file. Attach it once it is written.");
            return null;
        }

        // Whole seconds, as the annotation is written: the same file makes the same artifact manifest on every push.
        written = new DateTimeOffset(written.Ticks - (written.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return typeOk ? new AttachedFile(path, attachment.ArtifactType, digest, size, written) : null;
    }

    private static bool CheckArtifactType(string named, string? type, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            problems.Add($"{named} has no ArtifactType: give the file's media type,\ne.g. EcrAttachment.CycloneDxJson ({EcrAttachment.CycloneDxJson}) for a CycloneDX SBOM, or EcrAttachment.SpdxJson ({EcrAttachment.SpdxJson}).");
            return false;
        }

        if (ArtifactManifests.EcrRefusal(type) is { } refusal)
        {
            problems.Add($"{named} has the ArtifactType {Show(type)}:\n{refusal}.");
            return false;
        }

        if (!ArtifactManifests.MediaType().IsMatch(type))
        {
            var meant = ArtifactTypeNicknames.TryGetValue(type.Trim(), out var known) ? $"did you mean {known}?" : $"e.g. {EcrAttachment.CycloneDxJson}.";
            problems.Add($"{named} has the ArtifactType {Show(type)}, which is not a media type:\nit must be type/subtype as RFC 6838 names them (letters, digits and !#$&^_.+- only); {meant}");
            return false;
        }

        var topLevel = type[..type.IndexOf('/', StringComparison.Ordinal)];
        if (!TopLevelTypes.Contains(topLevel, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{named} has the ArtifactType {Show(type)}, whose type '{topLevel}' is none of IANA's ({string.Join(", ", TopLevelTypes)}):\nan SBOM or a statement is application/…, e.g. {EcrAttachment.CycloneDxJson}.");
            return false;
        }

        return true;
    }
}

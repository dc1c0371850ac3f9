namespace Ecr.Tests.Referrers;

/// <summary>Files to attach, in a temp folder, with a fixed last-write time so that their artifact manifests are the same on every run.</summary>
internal sealed class AttachedFiles : IDisposable
{
    public static readonly DateTime Written = new(2026, 11, 27, 9, 30, 15, DateTimeKind.Utc);

    public string Folder { get; } = Directory.CreateTempSubdirectory("ecrpush-attach-").FullName;

    public string Write(string name, string content)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, Written);
        return path;
    }

    /// <summary>A CycloneDX SBOM (its bones) as a file.</summary>
    public EcrAttachment Sbom(string name = "sbom.cdx.json", string component = "web")
        => new(Write(name, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"metadata\":{\"component\":{\"type\":\"container\",\"name\":\"" + component + "\"}}}"), EcrAttachment.CycloneDxJson);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

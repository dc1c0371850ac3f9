namespace Ecr.IntegrationTests.Sources;

/// <summary>A test class's temporary folders (layouts, archives, builds), deleted with it.</summary>
internal sealed class ScratchFolders : IDisposable
{
    private readonly List<string> _folders = [];

    /// <summary>A new empty folder under the temporary directory, its name starting with <paramref name="name"/>.</summary>
    public string New(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"ecrpush-it-{name}-").FullName;
        _folders.Add(folder);
        return folder;
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

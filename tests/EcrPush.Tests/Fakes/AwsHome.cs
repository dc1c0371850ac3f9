namespace Ecr.Tests.Fakes;

/// <summary>A home folder of the test's own, with the AWS shared files it writes, and environments that point at it.</summary>
internal sealed class AwsHome : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ecrpush-home-").FullName;

    public FakeEnvironment Environment(params (string Name, string Value)[] variables)
    {
        var environment = new FakeEnvironment { HomeDirectory = Path };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Writes <c>~/.aws/NAME</c>: <c>config</c> or <c>credentials</c>.</summary>
    public void WriteAwsFile(string name, string content)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Path, ".aws"));
        File.WriteAllText(System.IO.Path.Combine(Path, ".aws", name), content);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

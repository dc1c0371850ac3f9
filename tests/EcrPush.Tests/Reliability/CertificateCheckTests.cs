namespace Ecr.Tests.Reliability;

/// <summary>
/// TLS verification is never turned off in the library: no callback that could accept any certificate, anywhere
/// in src/. A proxy that inspects TLS is handled by trusting its CA on the machine, as the error message says.
/// </summary>
public sealed class CertificateCheckTests
{
    private static readonly string[] Forbidden =
    [
        "ServerCertificateCustomValidationCallback",
        "DangerousAcceptAnyServerCertificateValidator",
        "RemoteCertificateValidationCallback",
        "ServerCertificateValidationCallback",
        "CertificateValidationCallback",
        "CheckCertificateRevocationList = false",
        "SslPolicyErrors",
        "InsecureSkipVerify",
    ];

    [Fact]
    public void No_source_file_turns_certificate_checks_off()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        // The scan must have read the library, or it proves nothing.
        Assert.Contains(files, f => f.EndsWith("EcrHttpClientFactory.cs", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("DockerEngine.cs", StringComparison.Ordinal));

        var findings = files
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(entry => Forbidden.Any(word => entry.line.Contains(word, StringComparison.Ordinal)))
            .Select(entry => $"{Path.GetRelativePath(src, entry.file)}:{entry.number}: {entry.line.Trim()}")
            .ToList();
        Assert.Empty(findings);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EcrPush.Nuke.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No EcrPush.Nuke.sln above {AppContext.BaseDirectory}: the test runs from the repository's build output.");
    }
}

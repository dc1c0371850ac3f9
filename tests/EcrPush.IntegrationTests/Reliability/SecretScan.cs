using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Finds secrets in text and files: as they are, and inside any base64 or base64url run (an authorization token is
/// base64 of <c>AWS:password</c>; the engine's <c>X-Registry-Auth</c> is base64url of JSON that holds the password).
/// </summary>
internal static partial class SecretScan
{
    private const long MaxFileBytes = 8 * 1024 * 1024;
    private const int MaxFiles = 5000;

    /// <summary>What every push on a stack handles: the registry password that moto's token decodes to.</summary>
    public static IReadOnlyList<string> StackSecrets { get; } = [LocalEcrStack.RegistryPassword];

    /// <summary>Where each secret was found: "'…' as is" or "'…' in base64 …"; the secret itself is shown by its first characters only.</summary>
    public static IReadOnlyList<string> Find(string text, IEnumerable<string> secrets)
    {
        var findings = new List<string>();
        var list = secrets.Where(s => s.Length >= 6).Distinct(StringComparer.Ordinal).ToList();
        foreach (var secret in list.Where(secret => text.Contains(secret, StringComparison.Ordinal)))
        {
            findings.Add($"{Show(secret)} as is");
        }

        foreach (Match run in Base64Run().Matches(text))
        {
            if (Decode(run.Value) is not { } decoded)
            {
                continue;
            }

            foreach (var secret in list.Where(secret => decoded.Contains(secret, StringComparison.Ordinal)))
            {
                findings.Add($"{Show(secret)} in base64 at offset {run.Index}");
            }
        }

        return findings;
    }

    /// <summary>Files under <paramref name="root"/> (bounded in number and size) that hold a secret, with what was found.</summary>
    public static IReadOnlyList<string> FindInFiles(string root, IEnumerable<string> secrets)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        var list = secrets.ToList();
        var findings = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(root, "*", options).Take(MaxFiles))
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes || (info.UnixFileMode & UnixFileMode.UserRead) == 0)
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(file, Encoding.Latin1);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            findings.AddRange(Find(text, list).Select(finding => $"{file}: {finding}"));
        }

        return findings;
    }

    private static string? Decode(string run)
    {
        var normal = run.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        normal = normal.PadRight(normal.Length + ((4 - (normal.Length % 4)) % 4), '=');
        var bytes = new byte[normal.Length];
        return Convert.TryFromBase64String(normal, bytes, out var written) ? Encoding.Latin1.GetString(bytes, 0, written) : null;
    }

    private static string Show(string secret) => $"'{secret[..3]}…' ({secret.Length} characters)";

    // Runs long enough to hold a password once decoded.
    [GeneratedRegex("[A-Za-z0-9+/_-]{16,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Run();
}

/// <summary>The secrets the tests of the stack collection handed to pushes, for <see cref="SecretAuditTests"/>.</summary>
internal static class AuditTrail
{
    private static readonly ConcurrentDictionary<string, byte> Secrets = new(StringComparer.Ordinal);

    public static IReadOnlyCollection<string> KnownSecrets => [.. SecretScan.StackSecrets, .. Secrets.Keys];

    public static string AddSecret(string secret)
    {
        Secrets.TryAdd(secret, 0);
        return secret;
    }
}

/// <summary>
/// A HOME of its own for one test, with DOCKER_CONFIG unset: whatever a push would write for the user (a Docker
/// config with credentials, a cache) lands here, where <see cref="CredentialFiles"/> finds it.
/// </summary>
internal sealed class TempHome : IDisposable
{
    private readonly EnvironmentScope _scope;

    public TempHome()
    {
        Path = Directory.CreateTempSubdirectory("ecrpush-reliability-home-").FullName;
        _scope = new EnvironmentScope(("HOME", Path), ("DOCKER_CONFIG", null));
    }

    public string Path { get; }

    /// <summary>Files here that hold one of the secrets, or are a Docker config at all.</summary>
    public IReadOnlyList<string> CredentialFiles(IEnumerable<string> secrets)
    {
        var dockerConfig = System.IO.Path.Combine(Path, ".docker");
        return [.. SecretScan.FindInFiles(Path, secrets), .. Directory.Exists(dockerConfig) ? [$"{dockerConfig} exists"] : Array.Empty<string>()];
    }

    public void Dispose()
    {
        _scope.Dispose();
        Directory.Delete(Path, recursive: true);
    }
}

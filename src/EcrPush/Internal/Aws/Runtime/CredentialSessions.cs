using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The credentials a process keeps once made: role sessions, and the credentials of a profile (keys, SSO,
/// credential_process or role_arn), each under the identity it stands for. Every push and destination of one identity
/// then uses one session: one AssumeRole per base identity, role, external ID, session name and STS endpoint in a
/// process, not one per connection. A kept session renews its keys itself before they expire (the SDK's refreshing
/// credentials, which also make concurrent first uses share one call); one that failed is asked again by the next use.
/// </summary>
internal sealed class CredentialSessions
{
    // A key of this process only: an identity built from keys (a secret key, a session token, a proxy password) is a
    // keyed hash of them, which holds no credential material and cannot be checked against a guess outside the process.
    private static readonly byte[] ProcessKey = RandomNumberGenerator.GetBytes(32);
    private static readonly ConditionalWeakTable<AWSCredentials, string> ObjectNumbers = new();
    private static long _lastObjectNumber;

    private readonly ConcurrentDictionary<string, AWSCredentials> _sessions = new(StringComparer.Ordinal);

    public static CredentialSessions Shared { get; } = new();

    /// <summary>An identity from what defines it: equal for equal parts in this process, never showing any part.</summary>
    public static string Identity(string kind, params string?[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var text = new StringBuilder(kind);
        foreach (var part in parts)
        {
            // Length-prefixed, so that no two lists of parts read as the same text.
            text.Append('\n').Append(part is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{part.Length}:{part}"));
        }

        return $"{kind}:{Convert.ToHexString(HMACSHA256.HashData(ProcessKey, Encoding.UTF8.GetBytes(text.ToString())))}";
    }

    /// <summary>The identity of a credentials object whose keys are not known without a call: the object itself.</summary>
    public static string Identity(AWSCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return "object:" + ObjectNumbers.GetValue(credentials, static _ => Interlocked.Increment(ref _lastObjectNumber).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The credentials kept for <paramref name="identity"/>, made by <paramref name="create"/> on first use.</summary>
    public T GetOrAdd<T>(string identity, Func<T> create)
        where T : AWSCredentials
    {
        ArgumentNullException.ThrowIfNull(create);

        // Two first uses at once may both make one; only the kept one is ever used (making one calls nothing).
        return (T)_sessions.GetOrAdd(identity, _ => create());
    }
}

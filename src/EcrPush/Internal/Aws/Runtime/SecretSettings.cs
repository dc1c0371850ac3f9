namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The one list of which settings are secret, and how a printout shows them: <see cref="EcrPushSettings"/>'s
/// ToString and <see cref="AwsOptions"/>'s (and through it the push plan's) both print by it. A secret setting shows
/// as <c>***</c> when set; a proxy URL shows without its <c>user:password</c>.
/// </summary>
/// <remarks>
/// The external ID (AwsExternalId) is not a secret, and is printed: AWS's IAM User Guide ("How to use an external ID
/// when granting access to your AWS resources to a third party") says that AWS does not treat it as a secret, that it
/// can be seen by anyone allowed to view the role, and that it serves against the confused deputy, not as a password.
/// In a log it shows which ID a refused AssumeRole sent.
/// </remarks>
internal static class SecretSettings
{
    public const string Mask = "***";

    /// <summary>The settings whose whole value is secret, by their names on <see cref="EcrPushSettings"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [nameof(EcrPushSettings.AwsSecretAccessKey), nameof(EcrPushSettings.AwsSessionToken)];

    /// <summary>The values of the secret settings that are set, as the checked options hold them: what a CI log is told to mask.</summary>
    public static IEnumerable<string> ValuesOf(AwsOptions aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new[] { aws.SecretAccessKey, aws.SessionToken }.Where(value => !string.IsNullOrEmpty(value))!;
    }

    /// <summary>What a printout shows of the value of <paramref name="setting"/> (a name on <see cref="EcrPushSettings"/>).</summary>
    public static string? Shown(string setting, string? value) => value is null || !Names.Contains(setting, StringComparer.Ordinal) ? value : Mask;

    /// <summary>
    /// A proxy URL as a printout shows it: its user and password as <c>***</c>. Read as text, not as a Uri, so that a
    /// proxy written without a scheme (user:password@host:3128) does not show its password either.
    /// </summary>
    public static string? ShownProxy(string? proxy)
    {
        var at = proxy?.LastIndexOf('@') ?? -1;
        if (proxy is null || at < 0)
        {
            return proxy;
        }

        var scheme = proxy.IndexOf("://", StringComparison.Ordinal);
        var hostStart = scheme < 0 || scheme > at ? 0 : scheme + 3;
        return string.Concat(proxy.AsSpan(0, hostStart), Mask, "@", proxy.AsSpan(at + 1));
    }
}

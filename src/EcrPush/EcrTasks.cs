using Ecr.Internal;
using Ecr.Internal.Logging;

namespace Ecr;

/// <summary>
/// Pushes a local Docker image to an Amazon ECR repository: the AWS Toolkit for Azure DevOps "Push Image" task,
/// as a build-automation call. Import it the way Nuke's tool tasks are imported: <c>using static Ecr.EcrTasks;</c>.
/// Messages go to <see cref="EcrPushSettings.Logger"/>, by default Serilog's static <c>Log</c>, which a Nuke build shows.
/// </summary>
/// <example>
/// <code>
/// using Ecr;
/// using static Ecr.EcrTasks;
///
/// var pushed = EcrPush(_ => _
///     .SetSourceImageName("web:1.4.2")
///     .SetRepositoryName("team/web")
///     .SetTargetTags("1.4.2", "latest")
///     .EnableAutoCreateRepository());
/// // pushed.ImageReference, pushed.DigestReference
/// </code>
/// </example>
public static class EcrTasks
{
    /// <summary>How many pushes <see cref="EcrPush(Func{EcrPushSettings, IEnumerable{EcrPushSettings}}, int)"/> runs at once unless told otherwise.</summary>
    public const int DefaultDegreeOfParallelism = 4;

    /// <summary>Pushes the image the settings name; returns the pushed references.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    public static EcrPushResult EcrPush(EcrPushSettings settings)
        => EcrPushAsync(settings, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, starting from default settings.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    public static EcrPushResult EcrPush(Func<EcrPushSettings, EcrPushSettings> configurator)
        => EcrPushAsync(configurator, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Several pushes in one call, as Nuke's combinatorial tool calls run: <paramref name="configurator"/> returns one
    /// settings object per push (<see cref="EcrPushSettingsExtensions.CombineWith"/>), and up to
    /// <paramref name="degreeOfParallelism"/> of them run at once. Returns the results in the order of the settings.
    /// </summary>
    /// <exception cref="EcrPushException">A push failed; the others still ran to their end, and the message names each failure and what was pushed.</exception>
    public static IReadOnlyList<EcrPushResult> EcrPush(Func<EcrPushSettings, IEnumerable<EcrPushSettings>> configurator, int degreeOfParallelism = DefaultDegreeOfParallelism)
        => EcrPushAsync(configurator, degreeOfParallelism, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Pushes the image the settings name; returns the pushed references.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the tags the push created were removed.</exception>
    public static Task<EcrPushResult> EcrPushAsync(EcrPushSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Pusher.Create(new SerilogPushLog(settings.Logger ?? Serilog.Log.Logger)).PushAsync(settings, cancellationToken);
    }

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, starting from default settings.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the tags the push created were removed.</exception>
    public static Task<EcrPushResult> EcrPushAsync(Func<EcrPushSettings, EcrPushSettings> configurator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        return EcrPushAsync(EcrPushSettingsExtensions.Configured(new EcrPushSettings(), configurator), cancellationToken);
    }

    /// <summary>Several pushes in one call, up to <paramref name="degreeOfParallelism"/> at once; see <see cref="EcrPush(Func{EcrPushSettings, IEnumerable{EcrPushSettings}}, int)"/>.</summary>
    /// <exception cref="EcrPushException">A push failed; the others still ran to their end, and the message names each failure and what was pushed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; each push removed the tags it created.</exception>
    public static Task<IReadOnlyList<EcrPushResult>> EcrPushAsync(Func<EcrPushSettings, IEnumerable<EcrPushSettings>> configurator, int degreeOfParallelism = DefaultDegreeOfParallelism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        var all = configurator(new EcrPushSettings())?.ToList()
            ?? throw new EcrPushException("The settings configurator returned null: return the settings made with CombineWith (_ => _.CombineWith(regions, (_, region) => _.SetRegion(region))).");
        return CombinedPush.RunAsync(all, degreeOfParallelism, settings => EcrPushAsync(settings, cancellationToken), cancellationToken);
    }
}

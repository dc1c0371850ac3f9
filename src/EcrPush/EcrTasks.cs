using Ecr.Internal;
using Ecr.Internal.Logging;

namespace Ecr;

/// <summary>
/// Pushes an image to an Amazon ECR repository: the AWS Toolkit for Azure DevOps "Push Image" task, as a
/// build-automation call. The image comes from a Docker engine (<see cref="EcrPushSettings.SourceImageName"/> or
/// <see cref="EcrPushSettings.SourceImageId"/>), an OCI image layout (<see cref="EcrPushSettings.SourceOciLayout"/>),
/// an image archive (<see cref="EcrPushSettings.SourceImageArchive"/>), or ECR itself
/// (<see cref="EcrPushSettings.SourceRepositoryName"/>: a promotion or a copy); only the first needs an engine.
/// Import it the way Nuke's tool tasks are imported: <c>using static Ecr.EcrTasks;</c>. Messages go to
/// <see cref="EcrPushSettings.Logger"/>, by default Serilog's static <c>Log</c>, which a Nuke build shows; where
/// nothing has configured that, as in a plain console program, the push's progress goes to the console.
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
    /// <paramref name="degreeOfParallelism"/> of them run at once, by default one after the other. After a failure no
    /// further push starts, unless <paramref name="completeOnFailure"/>: then every push runs to its end. Returns each
    /// push's settings and result, in the order of the settings.
    /// </summary>
    /// <exception cref="EcrPushException">
    /// A push failed. Of several, the message names each failure and what was pushed, and <see cref="EcrPushException.Landed"/>
    /// holds it; a single one throws as <see cref="EcrPush(EcrPushSettings)"/> does.
    /// </exception>
    public static IReadOnlyList<(EcrPushSettings Settings, EcrPushResult Result)> EcrPush(Func<EcrPushSettings, IEnumerable<EcrPushSettings>> configurator, int degreeOfParallelism = 1, bool completeOnFailure = false)
        => EcrPushAsync(configurator, degreeOfParallelism, completeOnFailure, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Pushes the image the settings name; returns the pushed references.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the tags the push created were removed.</exception>
    public static Task<EcrPushResult> EcrPushAsync(EcrPushSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Pusher.Create(PushLogs.For(settings.Logger)).PushAsync(settings, cancellationToken);
    }

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, starting from default settings.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the tags the push created were removed.</exception>
    public static Task<EcrPushResult> EcrPushAsync(Func<EcrPushSettings, EcrPushSettings> configurator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        return EcrPushAsync(EcrPushSettingsExtensions.Configured(new EcrPushSettings(), configurator), cancellationToken);
    }

    /// <summary>
    /// Several pushes in one call, up to <paramref name="degreeOfParallelism"/> at once, stopping at the first failure
    /// unless <paramref name="completeOnFailure"/>; see <see cref="EcrPush(Func{EcrPushSettings, IEnumerable{EcrPushSettings}}, int, bool)"/>.
    /// </summary>
    /// <exception cref="EcrPushException">
    /// A push failed. Of several, the message names each failure and what was pushed, and <see cref="EcrPushException.Landed"/>
    /// holds it; a single one throws as <see cref="EcrPush(EcrPushSettings)"/> does.
    /// </exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; no further push started, and each push removed the tags it created.</exception>
    public static Task<IReadOnlyList<(EcrPushSettings Settings, EcrPushResult Result)>> EcrPushAsync(Func<EcrPushSettings, IEnumerable<EcrPushSettings>> configurator, int degreeOfParallelism = 1, bool completeOnFailure = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        var all = configurator(new EcrPushSettings())?.ToList()
            ?? throw new EcrPushException("The settings configurator returned null: return the settings made with CombineWith (_ => _.CombineWith(regions, (_, region) => _.SetRegion(region))).");
        return CombinedPush.RunAsync(all, degreeOfParallelism, completeOnFailure, settings => EcrPushAsync(settings, cancellationToken), cancellationToken);
    }
}

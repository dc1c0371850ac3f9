using Ecr.Internal;
using Ecr.Internal.Logging;

namespace Ecr;

/// <summary>
/// Pushes a local Docker image to an Amazon ECR repository: the AWS Toolkit for Azure DevOps "Push Image" task,
/// as a build-automation call. Messages go to Serilog's static <c>Log</c>, which a Nuke build shows.
/// </summary>
/// <example>
/// <code>
/// var pushed = EcrTasks.EcrPush(s => s
///     .SetSourceImageName("web").SetSourceImageTag("1.4.2")
///     .SetRepositoryName("team/web")
///     .SetTargetTags("1.4.2", "latest")
///     .EnableAutoCreateRepository());
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
        => EcrPush(Configurator.Apply(configurator));

    /// <summary>Pushes the image the settings name; returns the pushed references.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the tags the push created were removed.</exception>
    public static Task<EcrPushResult> EcrPushAsync(EcrPushSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Pusher.Create(SerilogPushLog.Instance).PushAsync(settings, cancellationToken);
    }

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, starting from default settings.</summary>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the tags the push created were removed.</exception>
    public static Task<EcrPushResult> EcrPushAsync(Func<EcrPushSettings, EcrPushSettings> configurator, CancellationToken cancellationToken = default)
        => EcrPushAsync(Configurator.Apply(configurator), cancellationToken);
}

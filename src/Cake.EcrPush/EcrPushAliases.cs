using Cake.Core;
using Cake.Core.Annotations;
using Ecr;
using Serilog;

namespace Cake.EcrPush;

/// <summary>
/// Pushes an image to an Amazon ECR repository: the AWS Toolkit for Azure DevOps "Push Image" task as a Cake alias.
/// The image comes from a Docker engine (SourceImageName or SourceImageId), an OCI image layout (SourceOciLayout), an
/// image archive (SourceImageArchive), or ECR itself (SourceRepositoryName). Messages go to Cake's log.
/// Load with <c>#addin nuget:?package=Cake.EcrPush&amp;loaddependencies=true</c>.
/// </summary>
/// <example>
/// <code>
/// var pushed = EcrPush(s => s
///     .SetSourceImageName("web").SetSourceImageTag("1.4.2")
///     .SetRepositoryName("team/web")
///     .SetTargetTags("1.4.2", "latest")
///     .EnableAutoCreateRepository());
/// Information(pushed.ImageReference);
/// </code>
/// </example>
// The async aliases take the token through overloads, not a default value: Cake's alias generator writes a
// struct's default as `= null`, which does not compile, and every script that loads the addin would fail.
[CakeAliasCategory("ECR")]
[CakeNamespaceImport("Ecr")]
public static class EcrPushAliases
{
    /// <summary>Pushes the image the settings name; returns the pushed references.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="settings">What to push, and where.</param>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    [CakeMethodAlias]
    public static EcrPushResult EcrPush(this ICakeContext context, EcrPushSettings settings)
        => EcrPushAsync(context, settings).GetAwaiter().GetResult();

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, starting from default settings.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="configurator">Changes default settings with the Set/Enable/Add methods.</param>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    [CakeMethodAlias]
    public static EcrPushResult EcrPush(this ICakeContext context, Func<EcrPushSettings, EcrPushSettings> configurator)
        => EcrPushAsync(context, configurator, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Pushes the image the settings name, asynchronously; returns the pushed references.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="settings">What to push, and where.</param>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    [CakeMethodAlias]
    public static Task<EcrPushResult> EcrPushAsync(this ICakeContext context, EcrPushSettings settings)
        => EcrPushAsync(context, settings, CancellationToken.None);

    /// <summary>Pushes the image the settings name, asynchronously; returns the pushed references.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="settings">What to push, and where.</param>
    /// <param name="cancellationToken">Stops the push; the tags it created are removed.</param>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    [CakeMethodAlias]
    public static Task<EcrPushResult> EcrPushAsync(this ICakeContext context, EcrPushSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        return WithCakeLogAsync(context, logger => EcrTasks.EcrPushAsync(settings.Logger is null ? settings.SetLogger(logger) : settings, cancellationToken));
    }

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, asynchronously.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="configurator">Changes default settings with the Set/Enable/Add methods.</param>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    [CakeMethodAlias]
    public static Task<EcrPushResult> EcrPushAsync(this ICakeContext context, Func<EcrPushSettings, EcrPushSettings> configurator)
        => EcrPushAsync(context, configurator, CancellationToken.None);

    /// <summary>Pushes the image that <paramref name="configurator"/> describes, asynchronously.</summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="configurator">Changes default settings with the Set/Enable/Add methods.</param>
    /// <param name="cancellationToken">Stops the push; the tags it created are removed.</param>
    /// <exception cref="EcrPushException">The settings are not valid, or the push failed; the message says why and what to do.</exception>
    [CakeMethodAlias]
    public static Task<EcrPushResult> EcrPushAsync(this ICakeContext context, Func<EcrPushSettings, EcrPushSettings> configurator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(configurator);
        return WithCakeLogAsync(context, logger => EcrTasks.EcrPushAsync(s => configurator(s.SetLogger(logger)), cancellationToken));
    }

    // The push logs through Serilog; unless the settings name a logger of their own, its messages go to Cake's log.
    private static async Task<EcrPushResult> WithCakeLogAsync(ICakeContext context, Func<Serilog.ILogger, Task<EcrPushResult>> push)
    {
        using var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new CakeLogSink(context.Log)).CreateLogger();
        return await push(logger).ConfigureAwait(false);
    }
}

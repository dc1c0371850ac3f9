using System.Globalization;
using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Internal.Destinations;

/// <summary>
/// ECR's managed signing of a pushed image, for one destination: where the registry's signing configuration has a rule
/// for the repository, the image's status per signing profile (DescribeImageSigningStatus) right after the push, or, with
/// WaitForSigning, once every profile is done, polling up to SigningTimeout. A failed signing, or one still in progress at
/// the timeout, is a <see cref="SigningFailedException"/>, which the destination step reports with what was pushed. No
/// configuration, or no rule for the repository: nothing to report, and nothing to wait for.
/// </summary>
internal sealed class ManagedSigning(IPushLog log, TimeProvider time)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The registry's signing configuration, asked for when the destination opens so that the answer comes while the image
    /// uploads (one ECR API round trip off the push's path); a failure is kept for <see cref="ReportAsync"/> to judge.
    /// </summary>
    public static async Task<(EcrSigningConfiguration? Configuration, EcrPushException? Failure)> ReadConfigurationAsync(IEcrClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            return (await client.GetSigningConfigurationAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (EcrPushException exception)
        {
            return (null, exception);
        }
    }

    public async Task<IReadOnlyList<EcrImageSigningStatus>> ReportAsync(DestinationContext destination, string digest, ReferrerPlan plan, Task<(EcrSigningConfiguration? Configuration, EcrPushException? Failure)> configurationRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(configurationRead);
        var client = destination.Connection.Client;
        var image = $"{destination.Target}@{digest}";
        var (configuration, failure) = await configurationRead.ConfigureAwait(false);
        if (failure is not null)
        {
            if (plan.WaitForSigning)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            log.Warning($"Could not read whether ECR signs {image} (its managed signing is not reported): {failure.Message}");
            return [];
        }

        ArgumentNullException.ThrowIfNull(configuration);

        if (configuration.Unreadable is { } why)
        {
            return plan.WaitForSigning
                ? throw new SigningFailedException($"WaitForSigning is on, but the signing configuration of {destination.Registry.Host} cannot be read ({why}). Grant ecr:GetSigningConfiguration and ecr:DescribeImageSigningStatus, or turn WaitForSigning off.", [])
                : Nothing($"The signing configuration of {destination.Registry.Host} cannot be read ({why}): managed signing is not reported");
        }

        if (configuration.RegistryId is { } own && destination.Repository.RegistryId is { Length: > 0 } target && own != target)
        {
            // GetSigningConfiguration answers for the caller's own registry only; another account's is that account's to read.
            return Nothing($"{destination.Registry.Host} is another account's registry than the one whose signing configuration this identity reads ({own}): its managed signing is not reported", plan.WaitForSigning);
        }

        var rules = configuration.RulesFor(destination.RepositoryName);
        if (rules.Count == 0)
        {
            return Nothing(configuration.Rules.Count == 0
                ? $"{destination.Registry.Host} has no signing configuration: ECR does not sign {destination.RepositoryName}'s images, nothing to wait for"
                : $"No signing rule of {destination.Registry.Host} names {destination.RepositoryName}: ECR does not sign its images, nothing to wait for", plan.WaitForSigning);
        }

        var started = time.GetTimestamp();
        var poll = FirstPoll;
        while (true)
        {
            var statuses = await client.DescribeImageSigningStatusAsync(destination.RepositoryName, destination.Destination.RegistryId, digest, cancellationToken).ConfigureAwait(false);
            if (statuses.FirstOrDefault(status => status.Status == EcrSigningStatus.Failed) is { } failed)
            {
                throw new SigningFailedException($"ECR's managed signing of {image} failed (signing profile {failed.SigningProfileArn}): {failed.FailureCode ?? "(no code)"}: {failed.FailureReason?.TrimEnd('.') ?? "(no reason given)"}. The image is not signed. Fix what ECR names (the AWS Signer profile, its state or permissions); aws ecr describe-image-signing-status --repository-name {destination.RepositoryName} --image-id imageDigest={digest} shows the image's status.", statuses);
            }

            var done = statuses.Count > 0 && statuses.All(status => status.Status == EcrSigningStatus.Complete);
            if (done || !plan.WaitForSigning)
            {
                log.Information(statuses.Count == 0
                    ? $"ECR reports no signing status for {image} yet: managed signing ({string.Join(", ", rules.Select(rule => rule.SigningProfileArn))}) has not started"
                    : $"ECR's managed signing of {image}: {Describe(statuses)}");
                return statuses;
            }

            var waited = time.GetElapsedTime(started);
            if (waited >= plan.SigningTimeout)
            {
                throw new SigningFailedException(string.Create(CultureInfo.InvariantCulture, $"ECR's managed signing of {image} was not done after {plan.SigningTimeout.TotalSeconds:0.#} s (SigningTimeout): {(statuses.Count == 0 ? "ECR reported no status" : Describe(statuses))}. Its signature may still come: aws ecr describe-image-signing-status --repository-name {destination.RepositoryName} --image-id imageDigest={digest} shows it. Raise SigningTimeout, or turn WaitForSigning off."), statuses);
            }

            log.Verbose($"Waiting for ECR's managed signing of {image}: {(statuses.Count == 0 ? "no status yet" : Describe(statuses))}");
            var wait = poll < plan.SigningTimeout - waited ? poll : plan.SigningTimeout - waited;
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            poll = poll * 2 < LongestPoll ? poll * 2 : LongestPoll;
        }
    }

    private static string Describe(IReadOnlyList<EcrImageSigningStatus> statuses)
        => string.Join("; ", statuses.Select(status => $"{status.Status} ({status.SigningProfileArn})"));

    private List<EcrImageSigningStatus> Nothing(string why, bool waitAsked = false)
    {
        if (waitAsked)
        {
            log.Information(why);
        }
        else
        {
            log.Verbose(why);
        }

        return [];
    }
}

/// <summary>A managed signing that failed, or was not done in time, after the image was pushed: the destination step reports what landed.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1064:Exceptions should be public", Justification = "Never leaves the library: the destination step turns it into an EcrPushException.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Always made with the statuses.")]
internal sealed class SigningFailedException(string message, IReadOnlyList<EcrImageSigningStatus> statuses) : Exception(message)
{
    public IReadOnlyList<EcrImageSigningStatus> Statuses { get; } = statuses;
}

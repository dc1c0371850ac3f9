using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Registry;
using Ecr.Internal.Sources;

namespace Ecr.Internal.Destinations;

/// <summary>
/// One destination of a push, the same for every source: open it (connection, token; the repository only once the
/// source is found, so that a missing or damaged source creates none); the immutable-tag rule; the write, which is the
/// source's; the result; and, when it fails, one message that says what landed and what stays.
/// </summary>
internal sealed partial class DestinationStep(IEcrConnector connector, RegistryAccess registries, RepositoryStep repositories, IPushLog log)
{
    public async Task<EcrPushedImage> RunAsync(PushPlan plan, int index, IImageSource source, Task<FoundImage> found, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(source);
        var destination = plan.Destinations[index];
        DestinationContext? context = null;
        try
        {
            context = await OpenAsync(plan, index, found, cancellationToken).ConfigureAwait(false);
            var pushed = await PushAsync(plan, context, source, await found.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            source.Settled(index, context, pushed.Digest, null);
            return pushed;
        }
        catch (Exception exception)
        {
            source.Settled(index, context, null, exception);
            throw;
        }
    }

    /// <summary>
    /// The connection and the token come at once; the repository is looked up beside them, but created only after the
    /// source was found. When both fail, the source's error is the one reported: it is the cause a user looks for first.
    /// </summary>
    private async Task<DestinationContext> OpenAsync(PushPlan plan, int index, Task<FoundImage> found, CancellationToken cancellationToken)
    {
        var destination = plan.Destinations[index];
        var connection = destination.PublicRegistry
            ? await connector.ConnectPublicAsync(plan.Aws, plan.PublicRegistryAlias, cancellationToken).ConfigureAwait(false)
            : await connector.ConnectAsync(plan.Aws with { Region = destination.Region ?? plan.Aws.Region }, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Region {connection.Region} ({connection.RegionSource}); credentials from {connection.CredentialSource}; ECR API {connection.Endpoint}");
        var registry = registries.OpenAsync(connection, destination.RegistryId, cancellationToken);
        var repository = repositories.EnsureAsync(connection, plan, destination.RegistryId, found, cancellationToken);
        try
        {
            await Task.WhenAll(found, registry, repository).ConfigureAwait(false);
        }
        catch
        {
            var failure = new Task[] { found, registry, repository }.FirstOrDefault(t => t.IsFaulted)?.Exception?.InnerException;
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }

        var open = await registry.ConfigureAwait(false);
        return new DestinationContext(index, destination, connection, open, await repository.ConfigureAwait(false), plan.RepositoryName, log);
    }

    private async Task<EcrPushedImage> PushAsync(PushPlan plan, DestinationContext destination, IImageSource source, FoundImage image, CancellationToken cancellationToken)
    {
        var repository = destination.Repository;
        var immutable = new ImmutableTags(destination, plan.Tags, image.Identity, log);
        IReadOnlyDictionary<string, string> alreadyThere = new Dictionary<string, string>();
        var started = DateTimeOffset.UtcNow;
        var signingConfiguration = ManagedSigning.ReadConfigurationAsync(destination.Connection.Client, cancellationToken);
        var writing = false;
        string? digest = null;
        IReadOnlyList<EcrPushedReferrer> referrers = [];
        try
        {
            alreadyThere = await immutable.FindHeldAsync(cancellationToken).ConfigureAwait(false);
            var tags = plan.Tags.Where(tag => !alreadyThere.ContainsKey(tag)).ToList();
            var restored = false;
            if (tags.Count == 0)
            {
                digest = alreadyThere[plan.Tags[0]];
            }
            else
            {
                writing = true;
                digest = (await source.WriteAsync(destination, tags, cancellationToken).ConfigureAwait(false)).Digest;
                writing = false;

                // A repository a creation template made on push is read now that it exists; an archived digest the push revived is said.
                destination = destination with { Repository = await repositories.SettleAsync(destination.Connection, destination.RepositoryName, destination.Destination.RegistryId, repository, cancellationToken).ConfigureAwait(false) };
                restored = await RestoredAsync(destination, digest, started, cancellationToken).ConfigureAwait(false);
            }

            referrers = await WriteReferrersAsync(plan, destination, source, digest, cancellationToken).ConfigureAwait(false);
            var signing = await new ManagedSigning(log, Time).ReportAsync(destination, digest, plan.Referrers, signingConfiguration, cancellationToken).ConfigureAwait(false);
            return Pushed(plan, destination, digest, image, plan.Tags) with { Referrers = referrers, Signing = signing, RestoredFromArchive = restored };
        }
        catch (ReferrersFailedException failed) when (digest is not null)
        {
            throw AfterThePush(failed.InnerException!, Pushed(plan, destination, digest, image, plan.Tags) with { Referrers = failed.Landed }, destination, failed.Missing);
        }
        catch (SigningFailedException failed) when (digest is not null)
        {
            throw AfterThePush(failed, Pushed(plan, destination, digest, image, plan.Tags) with { Referrers = referrers, Signing = failed.Statuses }, destination, missing: []);
        }
        catch (WriteFailedException failed) when (failed.InnerException is RegistryException { Code: RegistryErrorCode.TagInvalid } && (plan.Tags.Any(repository.IsTagImmutable) || repository.CreatedFromTemplate is not null))
        {
            // Another writer took an immutable tag between the check and our write, and the registry refused ours: the
            // same check again names the tag, what it holds now and the repository, on every path alike; a repository a
            // template made on push is read as it now exists, with the mutability ECR gave it.
            destination = destination with { Repository = await repositories.SettleAsync(destination.Connection, destination.RepositoryName, destination.Destination.RegistryId, repository, cancellationToken).ConfigureAwait(false) };
            var refusal = await new ImmutableTags(destination, plan.Tags, image.Identity, log).ExplainRefusalAsync(failed.InnerException, cancellationToken).ConfigureAwait(false);
            throw Explain(refusal, plan, destination, failed, image, alreadyThere);
        }
        catch (WriteFailedException failed)
        {
            throw Explain(failed.InnerException!, plan, destination, failed, image, alreadyThere);
        }
        catch (Exception exception) when (writing && exception is EcrPushException or RegistryException)
        {
            // The source failed before its write began (a copy reading its image from the registry, say): no tag landed here.
            throw Explain(exception, plan, destination, new WriteFailedException(null, [], exception), image, alreadyThere);
        }
        catch (Exception exception) when (digest is not null && exception is EcrPushException or RegistryException)
        {
            // A step after the image landed (reading its manifest as the referrers' subject, the repository a template made,
            // the signing report): the image stays pushed, and the error says so.
            throw AfterThePush(exception, Pushed(plan, destination, digest, image, plan.Tags) with { Referrers = referrers }, destination, missing: []);
        }
        catch (EcrPushException exception) when (repository.Created)
        {
            throw new EcrPushException($"{exception.Message} {RepositoryStays(destination, empty: true)}", exception);
        }
    }

    /// <summary>
    /// The one message of a write that failed: what went wrong, then what landed (the tags put before the failure, with
    /// their digest, and those that were not) and what stays (a repository this push created).
    /// </summary>
    private static Exception Explain(Exception cause, PushPlan plan, DestinationContext destination, WriteFailedException failed, FoundImage image, IReadOnlyDictionary<string, string> alreadyThere)
    {
        // The caller cancelled: it gets the cancellation it asked for, whatever landed.
        if (cause is OperationCanceledException)
        {
            return cause;
        }

        var held = plan.Tags.Where(alreadyThere.ContainsKey).Concat(failed.LandedTags).ToList();
        var missing = plan.Tags.Except(held, StringComparer.Ordinal).ToList();
        var landed = failed.LandedTags.Count == 0
            ? $"Nothing was tagged in {destination.Target}{(held.Count > 0 ? $" by this push ({string.Join(", ", held)} held the image already)" : string.Empty)}."
            : $"Tagged before the failure: {string.Join(", ", failed.LandedTags.Select(tag => $"{destination.Target}:{tag}"))} ({failed.Digest}); not tagged: {string.Join(", ", missing)}.";
        var stays = destination.Repository.Created ? $" {RepositoryStays(destination, empty: held.Count == 0)}" : string.Empty;
        // The cause's message is in this one whole; the chain goes on with what caused it (the registry's answer, say).
        return new EcrPushException($"{Messages.Sentence(cause.Message)} {landed}{stays}", cause is EcrPushException { InnerException: { } inner } ? inner : cause)
        {
            Landed = held.Count == 0 ? [] : [Pushed(plan, destination, failed.LandedTags.Count > 0 ? failed.Digest! : alreadyThere[held[0]], image, held)],
        };
    }

    // The repository is not deleted (it may be shared the moment it exists), but the user learns that this push made it.
    private static string RepositoryStays(DestinationContext destination, bool empty)
        => $"The repository {destination.Target} was created by this push and stays{(empty ? ", without this image; delete it, or push again" : string.Empty)}.";

    /// <summary>
    /// Whether this push brought an archived digest back (ECR restores an archived image that is pushed again, November
    /// 2025): ECR reports the image active again since the push began (less SigV4's 5 minutes of clock skew), or being
    /// restored. A repository this push created has no archive; a caller that may not describe images is not held up.
    /// </summary>
    private async Task<bool> RestoredAsync(DestinationContext destination, string digest, DateTimeOffset started, CancellationToken cancellationToken)
    {
        if (destination.Repository.Created)
        {
            return false;
        }

        EcrImageStatus? status;
        try
        {
            status = await destination.Connection.Client.DescribeImageAsync(destination.RepositoryName, destination.Destination.RegistryId, digest, cancellationToken).ConfigureAwait(false);
        }
        catch (EcrPushException exception)
        {
            log.Verbose($"Could not ask ECR whether {destination.Target}@{digest} came back from its archive: {exception.Message}");
            return false;
        }

        var restored = status is { LastArchivedAt: { } archived }
            && (status.Status == EcrImageStatus.Activating || (status.LastActivatedAt is { } activated && activated >= archived && activated >= started - TimeSpan.FromMinutes(5)));
        if (restored)
        {
            log.Information($"{destination.Target}@{digest} was in ECR's archive (since {status!.LastArchivedAt:yyyy-MM-dd HH:mm} UTC); this push restored it to the standard storage class");
        }

        return restored;
    }

    private static EcrPushedImage Pushed(PushPlan plan, DestinationContext destination, string digest, FoundImage image, IReadOnlyList<string> tags) => new()
    {
        ImageReferences = [.. tags.Select(tag => $"{destination.Target}:{tag}")],
        Digest = digest,
        RepositoryUri = destination.Target,
        RegistryId = destination.Destination.RegistryId ?? destination.Repository.RegistryId,
        Region = destination.Connection.Region,
        RepositoryCreated = destination.Repository.Created,
        RepositoryTemplate = destination.Repository.CreatedFromTemplate,
        Platforms = image.Platforms,
    };
}

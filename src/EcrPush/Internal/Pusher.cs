using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Ci;
using Ecr.Internal.Docker;

namespace Ecr.Internal;

/// <summary>
/// The push, step by step: check the settings; find the local image while, for each destination, region and
/// credentials resolve and the token and repository are fetched concurrently; tag, push and untag each target
/// tag; set the output variable. Both faces (EcrTasks, the Cake aliases) call this and only this.
/// </summary>
internal sealed partial class Pusher(IEcrConnector connector, Func<PushPlan, IDockerEngine> connectEngine, TokenCache tokens, IEnvironment environment, IPushLog log)
{
    // Removing our tags must happen even when the push was cancelled, but must not hang a build that is stopping.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    public static Pusher Create(IPushLog log, Action<SocketsHttpHandler>? configureRegistryHandler = null) => new(
        new EcrConnector(ProcessEnvironment.Instance, log),
        plan => DockerEngine.Connect(plan.DockerHost, plan.Engine, ProcessEnvironment.Instance, log),
        TokenCache.Shared,
        ProcessEnvironment.Instance,
        log)
    { ConfigureRegistryHandler = configureRegistryHandler };

    public async Task<EcrPushResult> PushAsync(EcrPushSettings settings, CancellationToken cancellationToken)
    {
        var plan = SettingsValidator.Validate(settings);
        var ci = CiService.Detect(environment);
        MaskSettingsSecrets(plan.Aws, ci);
        if (plan.Source.Artifact is { } artifact)
        {
            return await PushArtifactAsync(plan, artifact, ci, cancellationToken).ConfigureAwait(false);
        }

        if (plan.Source.EcrImage is { } ecrImage)
        {
            return await PushEcrImageAsync(plan, ecrImage, ci, cancellationToken).ConfigureAwait(false);
        }

        var stopwatch = StartLog(plan, plan.Source);

        // The lookup and each destination start on threads of their own: a first call spends most of its time
        // loading and compiling code (the Docker client on one side; credentials, signing, HTTP and TLS on the
        // other), and run inline each side would compile its part before the other could start.
        var engine = connectEngine(plan);
        var imageTask = Task.Run(() => FindImageAsync(engine, plan, cancellationToken), cancellationToken);
        var created = new ConcurrentQueue<string>();
        var pushes = plan.Destinations.Select(destination => Task.Run(() => PushToDestinationAsync(engine, imageTask, plan, destination, ci, created, cancellationToken), cancellationToken)).ToList();
        try
        {
            await AwaitDestinationsAsync(plan, pushes, imageTask).ConfigureAwait(false);
        }
        finally
        {
            if (imageTask.IsCompletedSuccessfully)
            {
                await RemoveTagsAsync(engine, await imageTask.ConfigureAwait(false), [.. created]).ConfigureAwait(false);
            }
        }

        return Finish(plan, pushes, ci, stopwatch);
    }

    private async Task<LocalImage> FindImageAsync(IDockerEngine engine, PushPlan plan, CancellationToken cancellationToken)
    {
        var image = await engine.FindImageAsync(plan.Source, cancellationToken).ConfigureAwait(false);
        log.Information($"Found {plan.Source}: {Names.ShortImageId(image.Id)}");
        return image;
    }

    private async Task<EcrPushedImage> PushToDestinationAsync(IDockerEngine engine, Task<LocalImage> imageTask, PushPlan plan, EcrDestination destination, CiService ci, ConcurrentQueue<string> created, CancellationToken cancellationToken)
    {
        // The repository is looked up (or created) at once: an engine image is small to find, and the lookup runs beside it.
        var (connection, image, token, repository) = await OpenDestinationAsync(plan, destination, imageTask, repositoryAfter: Task.CompletedTask, ci, cancellationToken).ConfigureAwait(false);

        var target = $"{token.RegistryHost}/{plan.RepositoryName}";
        var credentials = new RegistryCredentials(token.RegistryHost, token.UserName, token.Password);
        string digest;
        try
        {
            var alreadyThere = await CheckImmutableTagsAsync(connection, plan, destination.RegistryId, repository, image, cancellationToken).ConfigureAwait(false);
            try
            {
                digest = await PushTagsAsync(engine, image, target, plan.Tags, alreadyThere, credentials, created, cancellationToken).ConfigureAwait(false);
            }
            catch (EcrPushException refused) when (refused.Message.Contains("tag invalid", StringComparison.OrdinalIgnoreCase) && plan.Tags.Any(repository.IsTagImmutable))
            {
                // Another writer took an immutable tag between the check above and our manifest PUT, and the registry
                // refused ours (TAG_INVALID): the same check again names the tag, what it holds now and the repository.
                await CheckImmutableTagsAsync(connection, plan, destination.RegistryId, repository, image, cancellationToken, refused).ConfigureAwait(false);
                throw;
            }
        }
        catch (EcrPushException exception) when (repository.Created)
        {
            throw CreatedRepositoryStays(exception, repository);
        }

        return Pushed(plan, destination, connection, repository, target, digest);
    }

    private Stopwatch StartLog(PushPlan plan, object source)
    {
        log.Information($"Pushing {source} to the ECR repository {plan.RepositoryName} as {string.Join(", ", plan.Tags)}{(plan.Destinations.Count > 1 ? $" in {plan.Destinations.Count} destinations" : string.Empty)}");
        return Stopwatch.StartNew();
    }

    /// <summary>The result of every destination, the closing log line, and the output variable: the last step of every source's push.</summary>
    private EcrPushResult Finish(PushPlan plan, IEnumerable<Task<EcrPushedImage>> pushes, CiService ci, Stopwatch stopwatch)
    {
        var result = new EcrPushResult([.. pushes.Select(p => p.Result)]);
        log.Information(string.Create(CultureInfo.InvariantCulture, $"Pushed {string.Join(", ", result.AllImageReferences)} ({result.Digest}) in {stopwatch.Elapsed.TotalSeconds:0.00} s"));
        if (plan.OutputVariable is { } variable)
        {
            ci.SetVariable(variable, result.ImageReference, log);
        }

        return result;
    }

    /// <summary>
    /// A destination's connection, token and repository, and the source once it is there. The repository is looked up (and
    /// created) only after <paramref name="repositoryAfter"/> has succeeded, so that a source that fails leaves none behind.
    /// </summary>
    private async Task<(EcrConnection Connection, TSource Source, EcrAuthorization Token, EcrRepository Repository)> OpenDestinationAsync<TSource>(
        PushPlan plan, EcrDestination destination, Task<TSource> sourceTask, Task repositoryAfter, CiService ci, CancellationToken cancellationToken)
    {
        var connection = await connector.ConnectAsync(plan.Aws with { Region = destination.Region ?? plan.Aws.Region }, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Region {connection.Region} ({connection.RegionSource}); credentials from {connection.CredentialSource}; ECR API {connection.Endpoint}");

        var tokenTask = tokens.GetAsync(connection, destination.RegistryId, cancellationToken);
        var repositoryTask = repositoryAfter.IsCompletedSuccessfully
            ? EnsureRepositoryAsync(connection, plan, destination.RegistryId, cancellationToken)
            : repositoryAfter.ContinueWith(
                before => before.IsCompletedSuccessfully ? EnsureRepositoryAsync(connection, plan, destination.RegistryId, cancellationToken) : Task.FromCanceled<EcrRepository>(new CancellationToken(canceled: true)),
                cancellationToken,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
        var (source, token, repository) = await WhenAllAsync(sourceTask, tokenTask, repositoryTask).ConfigureAwait(false);
        ci.MaskSecret(token.Password, log);
        return (connection, source, token, repository);
    }

    /// <summary>
    /// The registry's HTTP client, behind the same proxy rules as the AWS calls. The integration tests' <see cref="ConfigureRegistryHandler"/>
    /// sends the registry host's connections to the stand-in.
    /// </summary>
    private HttpClient CreateRegistryHttpClient(PushPlan plan)
    {
#pragma warning disable CA2000 // The HttpClient owns the handler.
        var handler = EcrHttpClientFactory.CreateHandler(plan.Aws.Proxy, environment);
#pragma warning restore CA2000
        ConfigureRegistryHandler?.Invoke(handler);
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // Nothing is left half done without saying so: the repository is not deleted (it may be shared the moment it
    // exists), but the user learns that this push made it.
    private static EcrPushException CreatedRepositoryStays(EcrPushException exception, EcrRepository repository)
        => new($"{exception.Message} The repository {repository.RepositoryUri} was created by this push and stays, empty; delete it, or push again.", exception);

    private static EcrPushedImage Pushed(PushPlan plan, EcrDestination destination, EcrConnection connection, EcrRepository repository, string target, string digest) => new()
    {
        ImageReferences = [.. plan.Tags.Select(tag => $"{target}:{tag}")],
        Digest = digest,
        RepositoryUri = target,
        RegistryId = destination.RegistryId ?? repository.RegistryId,
        Region = connection.Region,
        RepositoryCreated = repository.Created,
    };

    private void MaskSettingsSecrets(AwsOptions aws, CiService ci)
    {
        foreach (var secret in new[] { aws.SecretAccessKey, aws.SessionToken })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                ci.MaskSecret(secret, log);
            }
        }
    }

    private async Task<EcrRepository> EnsureRepositoryAsync(EcrConnection connection, PushPlan plan, string? registryId, CancellationToken cancellationToken)
    {
        var existing = await connection.Client.DescribeRepositoryAsync(plan.RepositoryName, registryId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            log.Verbose($"The repository {existing.RepositoryUri} exists ({existing.TagMutability})");
            ReportDifferences(existing, plan.RepositoryOptions);
            return existing;
        }

        var registry = registryId is null ? "the account's registry" : $"registry {registryId}";
        if (!plan.AutoCreateRepository)
        {
            throw new EcrPushException($"The ECR repository {plan.RepositoryName} does not exist in {registry} in {connection.Region}. Create it, or let the push create it with AutoCreateRepository (EnableAutoCreateRepository()).");
        }

        var options = plan.RepositoryOptions;
        var creation = new EcrRepositoryCreation(plan.RepositoryName, registryId)
        {
            ScanOnPush = options.ScanOnPush,
            TagMutability = options.TagMutability,
            TagMutabilityExclusionFilters = options.TagMutabilityExclusionFilters,
            EncryptionType = options.EncryptionType,
            KmsKey = options.KmsKey,
            Tags = options.Tags.Count == 0 ? null : options.Tags,
        };
        var repository = await connection.Client.CreateRepositoryAsync(creation, cancellationToken).ConfigureAwait(false);
        if (!repository.Created)
        {
            log.Information($"The repository {repository.RepositoryUri} was created meanwhile by someone else; using it as it is");
            ReportDifferences(repository, options);
            return repository;
        }

        log.Information($"Created the repository {repository.RepositoryUri}");
        try
        {
            if (options.LifecyclePolicy is { } lifecyclePolicy)
            {
                await connection.Client.PutLifecyclePolicyAsync(plan.RepositoryName, registryId, lifecyclePolicy, cancellationToken).ConfigureAwait(false);
                log.Information($"Set the lifecycle policy of {repository.RepositoryUri}");
            }

            if (options.RepositoryPolicy is { } repositoryPolicy)
            {
                await connection.Client.SetRepositoryPolicyAsync(plan.RepositoryName, registryId, repositoryPolicy, cancellationToken).ConfigureAwait(false);
                log.Information($"Set the repository policy of {repository.RepositoryUri}");
            }
        }
        catch (EcrPushException exception)
        {
            throw new EcrPushException($"Created the repository {repository.RepositoryUri}, but could not give it its policy: {exception.Message} The repository stays; set the policy on it, or delete it and push again.", exception);
        }

        return repository;
    }

    /// <summary>An existing repository is never changed; a user who asked for other settings should know.</summary>
    private void ReportDifferences(EcrRepository repository, RepositoryOptions asked)
    {
        var differences = new List<string>();
        if (asked.TagMutability is { } mutability && mutability != repository.TagMutability)
        {
            differences.Add($"tag mutability {repository.TagMutability}, not {mutability}");
        }

        if (asked.ScanOnPush is { } scan && repository.ScanOnPush is { } actualScan && scan != actualScan)
        {
            differences.Add($"scan on push {(actualScan ? "on" : "off")}, not {(scan ? "on" : "off")}");
        }

        if (asked.EncryptionType is { } encryption && repository.EncryptionType is { } actualEncryption && encryption != actualEncryption)
        {
            differences.Add($"encryption {actualEncryption}, not {encryption}");
        }

        if (differences.Count > 0)
        {
            log.Warning($"The repository {repository.RepositoryUri} already exists with {string.Join(", ", differences)}; an existing repository is not changed.");
        }
    }

    /// <summary>
    /// ECR refuses to move an immutable tag. A tag that already holds this very image (same config digest, which
    /// is the engine's image ID) needs no push, so that a re-run of the same build passes; a tag that holds
    /// another image is an error before any byte moves. Returns the manifest digests of the tags already there.
    /// </summary>
    private async Task<Dictionary<string, string>> CheckImmutableTagsAsync(EcrConnection connection, PushPlan plan, string? registryId, EcrRepository repository, LocalImage image, CancellationToken cancellationToken, EcrPushException? refusal = null)
    {
        var immutable = plan.Tags.Where(repository.IsTagImmutable).ToList();
        var found = await Task.WhenAll(immutable.Select(tag => connection.Client.FindImageAsync(plan.RepositoryName, registryId, tag, cancellationToken))).ConfigureAwait(false);
        var alreadyThere = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        for (var i = 0; i < immutable.Count; i++)
        {
            if (found[i] is not { } existing)
            {
                continue;
            }

            if (string.Equals(existing.ConfigDigest, image.Id, StringComparison.Ordinal) || string.Equals(existing.ManifestDigest, image.Id, StringComparison.Ordinal))
            {
                alreadyThere[immutable[i]] = existing.ManifestDigest;
                log.Information($"The immutable tag {immutable[i]} already holds this image ({existing.ManifestDigest}): nothing to push for it");
            }
            else
            {
                conflicts.Add($"{immutable[i]} holds {existing.ManifestDigest} (image {existing.ConfigDigest ?? "of another kind"})");
            }
        }

        if (conflicts.Count > 0)
        {
            var message =
                $"The repository {repository.RepositoryUri} has {repository.TagMutability} tags, and {(conflicts.Count == 1 ? "this tag already holds" : "these tags already hold")} another image: {string.Join("; ", conflicts)}. " +
                $"This image is {image.Id}. {(refusal is null ? "Nothing was pushed." : "Another push wrote it after this push had checked it, and the registry refused this one; no tag was moved.")} Push under a new tag (a version or build number), or remove the tag from TargetTags.";
            throw refusal is null ? new EcrPushException(message) : new EcrPushException(message, refusal);
        }

        return alreadyThere;
    }

    private async Task<string> PushTagsAsync(IDockerEngine engine, LocalImage image, string target, IReadOnlyList<string> tags, Dictionary<string, string> alreadyThere, RegistryCredentials credentials, ConcurrentQueue<string> created, CancellationToken cancellationToken)
    {
        string? digest = null;
        foreach (var tag in tags.Where(t => !alreadyThere.ContainsKey(t)))
        {
            var reference = $"{target}:{tag}";
            if (!image.RepoTags.Contains(reference, StringComparer.Ordinal))
            {
                await engine.TagAsync(image.Id, target, tag, cancellationToken).ConfigureAwait(false);
                created.Enqueue(reference);
            }

            log.Information($"Pushing {reference}");
            var pushed = await engine.PushAsync(target, tag, credentials, log, cancellationToken).ConfigureAwait(false);
            if (digest is not null && pushed != digest)
            {
                throw new EcrPushException($"The registry reported digest {pushed} for {reference} but {digest} for the tags before it; the image changed during the push. Push again.");
            }

            digest = pushed;
        }

        return digest ?? alreadyThere[tags[0]];
    }

    private async Task RemoveTagsAsync(IDockerEngine engine, LocalImage image, string[] created)
    {
        // An image known only by its ID has no tag of its own: removing the last of ours would delete the image
        // itself from the engine, so that one stays.
        var keep = image.RepoTags.Count == 0 && created.Length > 0 ? created[^1] : null;
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        foreach (var reference in created.Where(r => r != keep))
        {
            try
            {
                await engine.RemoveTagAsync(reference, timeout.Token).ConfigureAwait(false);
                log.Verbose($"Removed the tag {reference}");
            }
            catch (Exception exception) when (exception is EcrPushException or OperationCanceledException)
            {
                log.Warning($"Could not remove the tag {reference} from the engine ({exception.Message}); remove it with `docker rmi {reference}`.");
            }
        }

        if (keep is not null)
        {
            log.Warning($"Kept the tag {keep}: the image has no other tag, and removing the last one would delete it from the engine.");
        }
    }

    /// <summary>
    /// Waits for every destination of one push, from an engine or not. One destination: its own error, exactly as it
    /// was thrown. Cancelled, with some destinations done before it came: the cancellation, as the caller asked for
    /// it. Several, some failed: one report of them all.
    /// </summary>
    private static async Task AwaitDestinationsAsync(PushPlan plan, List<Task<EcrPushedImage>> pushes, Task imageLookup)
    {
        try
        {
            await Task.WhenAll(pushes).ConfigureAwait(false);
        }
        catch when (pushes.Count == 1 || pushes.All(p => p.IsCanceled || p.IsCompletedSuccessfully))
        {
            ObserveImageLookup(imageLookup);
            throw;
        }
        catch
        {
            ObserveImageLookup(imageLookup);
            throw PartialFailure(plan, pushes);
        }
    }

    /// <summary>Several destinations, some failed: the others finished; say which failed and why, and what was pushed.</summary>
    private static EcrPushException PartialFailure(PushPlan plan, List<Task<EcrPushedImage>> pushes)
        => Internal.PartialFailure.Of(pushes, i => plan.Destinations[i].ToString(), image => [image], failed => $"The push failed for {failed} of {pushes.Count} destinations:");

    private static void ObserveImageLookup(Task imageTask)
        => _ = imageTask.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static async Task<(T1, T2, T3)> WhenAllAsync<T1, T2, T3>(Task<T1> first, Task<T2> second, Task<T3> third)
    {
        try
        {
            await Task.WhenAll(first, second, third).ConfigureAwait(false);
        }
        catch
        {
            // Task.WhenAll rethrows one failure; prefer a real error over a cancellation, and the first step's over later ones.
            var failure = new Task[] { first, second, third }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }

        return (await first.ConfigureAwait(false), await second.ConfigureAwait(false), await third.ConfigureAwait(false));
    }
}

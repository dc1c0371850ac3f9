using System.Diagnostics;
using System.Globalization;
using EcrPush.Internal.Aws;
using EcrPush.Internal.Ci;
using EcrPush.Internal.Docker;

namespace EcrPush.Internal;

/// <summary>
/// The push, step by step: check the settings, resolve region and credentials, then, concurrently, the token,
/// the repository and the local image; tag, push and untag each target tag; set the output variable.
/// Both faces (EcrTasks, the Cake aliases) call this and only this.
/// </summary>
internal sealed class Pusher(IEcrConnector connector, Func<Uri?, IDockerEngine> connectEngine, TokenCache tokens, IEnvironment environment, IPushLog log)
{
    // Removing our tags must happen even when the push was cancelled, but must not hang a build that is stopping.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    public static Pusher Create(IPushLog log) => new(
        new EcrConnector(ProcessEnvironment.Instance, log),
        host => DockerEngine.Connect(host, ProcessEnvironment.Instance),
        TokenCache.Shared,
        ProcessEnvironment.Instance,
        log);

    public async Task<EcrPushResult> PushAsync(EcrPushSettings settings, CancellationToken cancellationToken)
    {
        var plan = SettingsValidator.Validate(settings);
        var ci = CiService.Detect(environment);
        MaskSettingsSecrets(plan.Aws, ci);

        var stopwatch = Stopwatch.StartNew();
        log.Information($"Pushing {plan.Source} to the ECR repository {plan.RepositoryName} as {string.Join(", ", plan.Tags)}");

        var engine = connectEngine(plan.DockerHost);
        var imageTask = engine.FindImageAsync(plan.Source, cancellationToken);
        EcrConnection connection;
        try
        {
            connection = await connector.ConnectAsync(plan.Aws, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The error that stopped the push is the one reported; the lookup's own outcome is only observed.
            _ = imageTask.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }

        log.Verbose($"Region {connection.Region} ({connection.RegionSource}); credentials from {connection.CredentialSource}; ECR API {connection.Endpoint}");
        var tokenTask = tokens.GetAsync(connection, plan.RegistryId, cancellationToken);
        var repositoryTask = EnsureRepositoryAsync(connection, plan, cancellationToken);
        var (image, token, repository) = await WhenAllAsync(imageTask, tokenTask, repositoryTask).ConfigureAwait(false);
        ci.MaskSecret(token.Password, log);

        log.Information($"Found {plan.Source}: {ShortId(image.Id)}");
        var registryHost = token.RegistryHost;
        var target = $"{registryHost}/{plan.RepositoryName}";
        var credentials = new RegistryCredentials(registryHost, token.UserName, token.Password);
        var alreadyThere = await CheckImmutableTagsAsync(connection, plan, repository, image, cancellationToken).ConfigureAwait(false);
        var digest = await PushTagsAsync(engine, image, target, plan.Tags, alreadyThere, credentials, cancellationToken).ConfigureAwait(false);

        var references = plan.Tags.Select(tag => $"{target}:{tag}").ToList();
        var result = new EcrPushResult
        {
            ImageReference = references[0],
            ImageReferences = references,
            Digest = digest,
            RepositoryUri = target,
            RegistryId = plan.RegistryId ?? repository.RegistryId,
            Region = connection.Region,
            RepositoryCreated = repository.Created,
        };

        log.Information(string.Create(CultureInfo.InvariantCulture, $"Pushed {string.Join(", ", references)} ({digest}) in {stopwatch.Elapsed.TotalSeconds:0.00} s"));
        if (plan.OutputVariable is { } variable)
        {
            ci.SetVariable(variable, result.ImageReference, log);
        }

        return result;
    }

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

    private async Task<EcrRepository> EnsureRepositoryAsync(EcrConnection connection, PushPlan plan, CancellationToken cancellationToken)
    {
        var existing = await connection.Client.DescribeRepositoryAsync(plan.RepositoryName, plan.RegistryId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            log.Verbose($"The repository {existing.RepositoryUri} exists ({existing.TagMutability})");
            return existing;
        }

        var registry = plan.RegistryId is null ? "the account's registry" : $"registry {plan.RegistryId}";
        if (!plan.AutoCreateRepository)
        {
            throw new EcrPushException($"The ECR repository {plan.RepositoryName} does not exist in {registry} in {connection.Region}. Create it, or let the push create it with AutoCreateRepository (EnableAutoCreateRepository()).");
        }

        var created = await connection.Client.CreateRepositoryAsync(new EcrRepositoryCreation(plan.RepositoryName, plan.RegistryId), cancellationToken).ConfigureAwait(false);
        log.Information(created.Created
            ? $"Created the repository {created.RepositoryUri}"
            : $"The repository {created.RepositoryUri} was created meanwhile by someone else; using it");
        return created;
    }

    /// <summary>
    /// ECR refuses to move an immutable tag. A tag that already holds this very image (same config digest, which
    /// is the engine's image ID) needs no push, so that a re-run of the same build passes; a tag that holds
    /// another image is an error before any byte moves. Returns the manifest digests of the tags already there.
    /// </summary>
    private async Task<Dictionary<string, string>> CheckImmutableTagsAsync(EcrConnection connection, PushPlan plan, EcrRepository repository, LocalImage image, CancellationToken cancellationToken)
    {
        var immutable = plan.Tags.Where(repository.IsTagImmutable).ToList();
        var found = await Task.WhenAll(immutable.Select(tag => connection.Client.FindImageAsync(plan.RepositoryName, plan.RegistryId, tag, cancellationToken))).ConfigureAwait(false);
        var alreadyThere = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        for (var i = 0; i < immutable.Count; i++)
        {
            if (found[i] is not { } existing)
            {
                continue;
            }

            if (string.Equals(existing.ConfigDigest, image.Id, StringComparison.Ordinal))
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
            throw new EcrPushException(
                $"The repository {repository.RepositoryUri} has {repository.TagMutability} tags, and {(conflicts.Count == 1 ? "this tag already holds" : "these tags already hold")} another image: {string.Join("; ", conflicts)}. " +
                $"This image is {image.Id}. Nothing was pushed. Push under a new tag (a version or build number), or remove the tag from TargetTags.");
        }

        return alreadyThere;
    }

    private async Task<string> PushTagsAsync(IDockerEngine engine, LocalImage image, string target, IReadOnlyList<string> tags, Dictionary<string, string> alreadyThere, RegistryCredentials credentials, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        try
        {
            string? digest = null;
            foreach (var tag in tags.Where(t => !alreadyThere.ContainsKey(t)))
            {
                var reference = $"{target}:{tag}";
                if (!image.RepoTags.Contains(reference, StringComparer.Ordinal))
                {
                    await engine.TagAsync(image.Id, target, tag, cancellationToken).ConfigureAwait(false);
                    created.Add(reference);
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
        finally
        {
            await RemoveTagsAsync(engine, image, created).ConfigureAwait(false);
        }
    }

    private async Task RemoveTagsAsync(IDockerEngine engine, LocalImage image, List<string> created)
    {
        // An image known only by its ID has no tag of its own: removing the last of ours would delete the image
        // itself from the engine, so that one stays.
        var keep = image.RepoTags.Count == 0 && created.Count > 0 ? created[^1] : null;
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

    private static async Task<(T1, T2, T3)> WhenAllAsync<T1, T2, T3>(Task<T1> first, Task<T2> second, Task<T3> third)
    {
        try
        {
            await Task.WhenAll(first, second, third).ConfigureAwait(false);
        }
        catch
        {
            // Task.WhenAll rethrows one failure; prefer a push error over a cancellation, and the first step's over later ones.
            var failure = new Task[] { first, second, third }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }

        return (await first.ConfigureAwait(false), await second.ConfigureAwait(false), await third.ConfigureAwait(false));
    }

    private static string ShortId(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length >= 19 ? id[7..19] : id;
}

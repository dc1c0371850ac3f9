using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Internal.Destinations;

/// <summary>
/// The destination's repository: looked up at once, created (with its options and policies) only when the push may
/// create it and only after the source was found. An existing repository is never changed; a user who asked for
/// other settings is told.
/// </summary>
internal sealed partial class RepositoryStep(IPushLog log)
{
    public async Task<EcrRepository> EnsureAsync(EcrConnection connection, PushPlan plan, string? registryId, Task sourceFound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(sourceFound);
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
            // ECR creates it on push when a creation template says so (RepositoryStep.Templates.cs).
            return await CreatedOnPushAsync(connection, plan, registryId, cancellationToken).ConfigureAwait(false)
                ?? throw new EcrPushException($"The ECR repository {plan.RepositoryName} does not exist in {registry} in {connection.Region}{NoTemplate(registryId)}. Create it, or let the push create it with AutoCreateRepository (EnableAutoCreateRepository()).");
        }

        await ReportTemplateAsync(connection, plan, registryId, cancellationToken).ConfigureAwait(false);

        // A source that is not there (a typo in its name, a damaged archive) must not leave an empty repository behind.
        await sourceFound.ConfigureAwait(false);
        var options = plan.RepositoryOptions;
        var creation = new EcrRepositoryCreation(plan.RepositoryName, registryId)
        {
            ScanOnPush = options.ScanOnPush,
            TagMutability = options.TagMutability,
            TagMutabilityExclusionFilters = options.TagMutabilityExclusionFilters,
            EncryptionType = options.EncryptionType,
            KmsKey = options.KmsKey,
            Tags = options.Tags.Count == 0 ? null : options.Tags,
            Catalog = options.Catalog,
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
}

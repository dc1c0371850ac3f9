using Ecr.Internal.Aws.EcrApi;

namespace Ecr.Internal.Destinations;

/// <summary>
/// Repository creation templates applied on push (December 2025): when the repository is missing and the push may not create
/// it, a template of the registry with <c>CREATE_ON_PUSH</c> whose prefix covers the name lets ECR create it when the push
/// arrives, with the template's settings; the push goes ahead, and the repository is read again once the image is there.
/// When the push may create it, its own settings win over a template's, and the log says so.
/// </summary>
internal sealed partial class RepositoryStep
{
    private const string DescribeTemplates = "ecr:DescribeRepositoryCreationTemplates";

    /// <summary>
    /// The repository ECR will create on push from a template, as far as it is known before the push (its name and the
    /// template's tag mutability, no URI yet); null when no template with CREATE_ON_PUSH covers the name. A caller that may
    /// not read the templates gets an error that names the permission and both ways out.
    /// </summary>
    private async Task<EcrRepository?> CreatedOnPushAsync(EcrConnection connection, PushPlan plan, string? registryId, CancellationToken cancellationToken)
    {
        // DescribeRepositoryCreationTemplates reads the caller's own registry only; another account's templates are not ours to see.
        if (registryId is not null)
        {
            return null;
        }

        IReadOnlyList<EcrCreationTemplate> templates;
        try
        {
            templates = await connection.Client.DescribeRepositoryCreationTemplatesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EcrPushException exception) when (exception.InnerException is EcrAccessDeniedException)
        {
            throw new EcrPushException(
                $"The ECR repository {plan.RepositoryName} does not exist in the account's registry in {connection.Region}, and these credentials (from {connection.CredentialSource}) may not read its repository creation templates ({DescribeTemplates} was denied), so the push cannot tell whether ECR would create it on push. " +
                $"Either grant {DescribeTemplates}, so that a template with CREATE_ON_PUSH for this name lets ECR create the repository when the image arrives; or let the push create it with AutoCreateRepository (EnableAutoCreateRepository(), which needs ecr:CreateRepository).",
                exception);
        }

        var template = EcrCreationTemplate.For(plan.RepositoryName, templates.Where(t => t.AppliesOnPush));
        if (template is null)
        {
            return null;
        }

        log.Information($"The repository {plan.RepositoryName} does not exist; ECR creates it on push from the repository creation template '{template.Prefix}' (CREATE_ON_PUSH, {template.TagMutability ?? "MUTABLE"} tags)");
        return new EcrRepository(plan.RepositoryName, string.Empty, string.Empty, template.TagMutability ?? "MUTABLE", Created: false) { CreatedFromTemplate = template.Prefix };
    }

    /// <summary>
    /// With AutoCreateRepository, a template with CREATE_ON_PUSH for the name would have made it too: the settings win, and
    /// the log says so. Only a log line hangs on it, so templates that cannot be read (denied, or an endpoint that does not
    /// serve the call) do not hold the push up.
    /// </summary>
    private async Task ReportTemplateAsync(EcrConnection connection, PushPlan plan, string? registryId, CancellationToken cancellationToken)
    {
        if (registryId is not null)
        {
            return;
        }

        try
        {
            var templates = await connection.Client.DescribeRepositoryCreationTemplatesAsync(cancellationToken).ConfigureAwait(false);
            if (EcrCreationTemplate.For(plan.RepositoryName, templates.Where(t => t.AppliesOnPush)) is { } template)
            {
                log.Information($"The repository creation template '{template.Prefix}' (CREATE_ON_PUSH) covers {plan.RepositoryName}, but AutoCreateRepository is on: the push creates the repository with its own settings, not the template's");
            }
        }
        catch (EcrPushException exception)
        {
            var why = exception.InnerException is EcrAccessDeniedException ? $"{DescribeTemplates} was denied" : exception.Message;
            log.Verbose($"Could not read the repository creation templates ({why}); the push creates {plan.RepositoryName} with its own settings");
        }
    }

    /// <summary>
    /// After the push: the repository a template made on push, read again, so that the result and any later check (an
    /// immutable tag's refusal) see what ECR created. A repository that is still missing means ECR did not apply the template.
    /// </summary>
    public async Task<EcrRepository> SettleAsync(EcrConnection connection, string repositoryName, string? registryId, EcrRepository repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.CreatedFromTemplate is not { } prefix || repository.RepositoryUri.Length > 0)
        {
            return repository;
        }

        var made = await connection.Client.DescribeRepositoryAsync(repositoryName, registryId, cancellationToken).ConfigureAwait(false)
            ?? throw new EcrPushException($"The push reached ECR, but the repository {repositoryName} still does not exist in the account's registry in {connection.Region}: ECR did not create it from the repository creation template '{prefix}'. Check that the template still lists CREATE_ON_PUSH (aws ecr describe-repository-creation-templates), or create the repository, or let the push create it with AutoCreateRepository.");
        log.Information($"ECR created the repository {made.RepositoryUri} on push from the repository creation template '{prefix}' ({made.TagMutability} tags)");
        return made with { Created = true, CreatedFromTemplate = prefix };
    }

    private static string NoTemplate(string? registryId)
        => registryId is null ? " (and no repository creation template with CREATE_ON_PUSH covers the name)" : string.Empty;
}

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// ECR's managed signing (November 2025): the registry's signing configuration (which repositories AWS Signer signs
/// the images of), and an image's signing status per signing profile.
/// </summary>
internal sealed partial class EcrClient
{
    private const string SigningConfigurationNotFound = "SigningConfigurationNotFoundException";

    // What a registry answers when its configuration cannot be read by this identity, or in a partition without the feature.
    private static readonly string[] SigningConfigurationUnreadable = ["AccessDeniedException", "UnknownOperationException"];

    public async Task<EcrSigningConfiguration> GetSigningConfigurationAsync(CancellationToken cancellationToken)
    {
        const string Operation = "GetSigningConfiguration";
        var response = await CallAsync(Operation, new GetSigningConfigurationRequest(), EcrJsonContext.Default.GetSigningConfigurationRequest, cancellationToken, [SigningConfigurationNotFound, .. SigningConfigurationUnreadable]).ConfigureAwait(false);
        if (response.ErrorCode == SigningConfigurationNotFound)
        {
            return EcrSigningConfiguration.None;
        }

        if (response.ErrorCode is { } code)
        {
            return EcrSigningConfiguration.None with { Unreadable = $"{code}: {response.ErrorMessage?.Trim()}" };
        }

        var result = Read(Operation, response, EcrJsonContext.Default.GetSigningConfigurationResponse);
        var rules = (result.SigningConfiguration?.Rules ?? []).Where(static rule => rule?.SigningProfileArn is not null)
            .Select(static rule => new EcrSigningRule(rule.SigningProfileArn!, [.. (rule.RepositoryFilters ?? []).Select(static filter => filter.Filter).OfType<string>()]))
            .ToList();
        return new EcrSigningConfiguration(rules) { RegistryId = result.RegistryId };
    }

    public async Task<IReadOnlyList<EcrImageSigningStatus>> DescribeImageSigningStatusAsync(string repositoryName, string? registryId, string digest, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentException.ThrowIfNullOrEmpty(digest);
        const string Operation = "DescribeImageSigningStatus";
        var request = new DescribeImageSigningStatusRequest { RepositoryName = repositoryName, RegistryId = registryId, ImageId = new ImageIdentifierDto { ImageDigest = digest } };

        // Right after a push the image may not be known to the signing side yet: no status, as before signing starts.
        var response = await CallAsync(Operation, request, EcrJsonContext.Default.DescribeImageSigningStatusRequest, cancellationToken, EcrErrors.ImageNotFound).ConfigureAwait(false);
        if (response.ErrorCode == EcrErrors.ImageNotFound)
        {
            return [];
        }

        var result = Read(Operation, response, EcrJsonContext.Default.DescribeImageSigningStatusResponse);
        return [.. (result.SigningStatuses ?? []).Where(static status => status is not null).Select(static status => new EcrImageSigningStatus(
            status.SigningProfileArn ?? "(no signing profile named)",
            status.Status switch
            {
                "COMPLETE" => EcrSigningStatus.Complete,
                "FAILED" => EcrSigningStatus.Failed,
                _ => EcrSigningStatus.InProgress,
            },
            status.FailureCode,
            status.FailureReason))];
    }
}

/// <summary>
/// A registry's signing configuration: its rules (a signing profile, and the repositories it signs; none named: all of
/// them); none when the registry signs nothing. <see cref="Unreadable"/> says why it could not be read, when it could not.
/// </summary>
internal sealed record EcrSigningConfiguration(IReadOnlyList<EcrSigningRule> Rules)
{
    public static EcrSigningConfiguration None { get; } = new([]);

    /// <summary>The registry the configuration is of: the caller's own account's.</summary>
    public string? RegistryId { get; init; }

    /// <summary>ECR's error code and message when the configuration could not be read (no permission, no such operation); null when it was.</summary>
    public string? Unreadable { get; init; }

    /// <summary>The rules that sign the images of <paramref name="repository"/> (a rule without filters signs every repository's).</summary>
    public IReadOnlyList<EcrSigningRule> RulesFor(string repository)
        => [.. Rules.Where(rule => rule.RepositoryFilters.Count == 0 || rule.RepositoryFilters.Any(filter => Wildcard.Matches(filter, repository)))];
}

/// <summary>One signing rule: the AWS Signer profile, and the wildcard filters (<c>WILDCARD_MATCH</c>) of the repositories it signs.</summary>
internal sealed record EcrSigningRule(string SigningProfileArn, IReadOnlyList<string> RepositoryFilters);

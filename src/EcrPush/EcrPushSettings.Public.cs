namespace Ecr;

/// <summary>
/// Amazon ECR Public as the destination (<c>public.ecr.aws/&lt;alias&gt;/&lt;repository&gt;</c>), and the catalog data a public
/// repository this push creates is given (what the Amazon ECR Public Gallery shows).
/// </summary>
public sealed partial record EcrPushSettings
{
    /// <summary>
    /// Push to Amazon ECR Public, <c>public.ecr.aws/&lt;alias&gt;/&lt;RepositoryName&gt;</c>, instead of the account's private
    /// registry: the first destination; another one says it for itself (<see cref="EcrDestination.PublicRegistry"/>). ECR
    /// Public's API and its token are served in us-east-1, whatever <see cref="Region"/> says; every source works, and an
    /// image already in private ECR is copied registry to registry (a promotion to public).
    /// </summary>
    public bool PublicRegistry { get; init; }

    /// <summary>
    /// For ECR Public: the registry alias to push under, e.g. <c>my-team</c>; it must be an active alias of the caller's
    /// public registry. Unset: the registry's primary alias (DescribeRegistries), or the default alias ECR Public gives the
    /// registry when this push creates its first repository.
    /// </summary>
    public string? PublicRegistryAlias { get; init; }

    /// <summary>For an ECR Public repository this push creates: the short description the Gallery shows and searches, at most 1024 characters.</summary>
    public string? CatalogDescription { get; init; }

    /// <summary>For an ECR Public repository this push creates: what the images are (Markdown), at most 25600 characters.</summary>
    public string? CatalogAboutText { get; init; }

    /// <summary>For an ECR Public repository this push creates: how to use the images (Markdown), at most 25600 characters.</summary>
    public string? CatalogUsageText { get; init; }

    /// <summary>For an ECR Public repository this push creates: the architectures the images run on; the Gallery shows <c>ARM</c>, <c>ARM 64</c>, <c>x86</c> and <c>x86-64</c> as badges. At most 50, each 1 to 50 characters.</summary>
    public IReadOnlyList<string> CatalogArchitectures { get; init; } = [];

    /// <summary>For an ECR Public repository this push creates: the operating systems the images run on; the Gallery shows <c>Linux</c> and <c>Windows</c> as badges. At most 50, each 1 to 50 characters.</summary>
    public IReadOnlyList<string> CatalogOperatingSystems { get; init; } = [];

    /// <summary>For an ECR Public repository this push creates: a logo image file (the Gallery shows it for verified accounts), at most 512000 bytes.</summary>
    public string? CatalogLogoFile { get; init; }
}

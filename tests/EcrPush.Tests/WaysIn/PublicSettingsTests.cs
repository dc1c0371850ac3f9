using Ecr.Internal;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.WaysIn;

/// <summary>The settings of ECR Public, checked before any call: each broken rule named with its value, the rule and the fix.</summary>
public sealed class PublicSettingsTests : IDisposable
{
    private static readonly EcrPushSettings Public = new EcrPushSettings().SetSourceImageName("web:1").SetRepositoryName("team/web").EnablePublicRegistry().EnableAutoCreateRepository();

    private readonly AwsHome _home = new();

    public void Dispose() => _home.Dispose();

    private static string Problems(EcrPushSettings settings) => Assert.Throws<EcrPushException>(() => SettingsValidator.Validate(settings)).Message;

    [Fact]
    public void The_plan_of_a_public_push_carries_the_alias_the_catalog_and_a_destination_without_region()
    {
        var logo = Path.Combine(_home.Path, "logo.png");
        File.WriteAllBytes(logo, [0x89, 0x50, 0x4E, 0x47]);

        var plan = SettingsValidator.Validate(Public.SetRegion("eu-west-1").SetPublicRegistryAlias("my-team").SetCatalogDescription("web").SetCatalogLogoFile(logo).AddDestinations(new EcrDestination("eu-west-1")));

        Assert.Equal([new EcrDestination { PublicRegistry = true }, new EcrDestination("eu-west-1")], plan.Destinations);
        Assert.Equal("my-team", plan.PublicRegistryAlias);
        Assert.Equal(("web", "iVBORw=="), (plan.RepositoryOptions.Catalog!.Description, plan.RepositoryOptions.Catalog.LogoImageBase64));
        Assert.Equal("eu-west-1", plan.Aws.Region);
    }

    [Fact]
    public Task Catalog_data_beyond_ECR_Public_s_limits_and_an_alias_or_name_it_does_not_take_are_named()
        => Verify(Problems(Public
            .SetPublicRegistryAlias("My_Team")
            .SetRepositoryName("team__tools/web")
            .SetCatalogDescription(new string('d', 1025))
            .SetCatalogAboutText(new string('a', 25601))
            .SetCatalogArchitectures([.. Enumerable.Range(0, 51).Select(i => $"arch{i}")])
            .SetCatalogOperatingSystems("Linux", new string('o', 51), "")
            .SetCatalogLogoFile(Path.Combine(_home.Path, "missing.png"))));

    [Fact]
    public Task Settings_that_ECR_Public_has_not_are_named()
        => Verify(Problems(Public
            .EnableUseFipsEndpoint()
            .EnableScanOnPush()
            .SetTagMutability(TagMutability.Immutable)
            .SetLifecyclePolicy("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":9},"action":{"type":"expire"}}]}""")
            .AddDestinations(new EcrDestination("eu-west-1") { PublicRegistry = true })));

    [Fact]
    public async Task An_alias_or_catalog_data_without_a_public_destination_and_catalog_data_without_AutoCreateRepository_are_named()
    {
        var bigLogo = Path.Combine(_home.Path, "big.png");
        await File.WriteAllBytesAsync(bigLogo, new byte[512001]);
        var withoutPublic = Problems(new EcrPushSettings().SetSourceImageName("web:1").SetRepositoryName("team/web").SetPublicRegistryAlias("my-team").SetCatalogUsageText("docker run …"));
        var withoutCreate = Problems(Public.DisableAutoCreateRepository().SetCatalogLogoFile(bigLogo));

        await Verify($"{withoutPublic}\n\n{withoutCreate}");
    }
}

using System.Reflection;

namespace Ecr.Tests;

public sealed class SettingsExtensionsTests
{
    [Fact]
    public void Fluent_methods_return_new_settings_and_leave_the_original_unchanged()
    {
        var original = new EcrPushSettings().SetRepositoryName("a/b");

        var changed = original.SetRepositoryName("c/d").EnableAutoCreateRepository().SetTargetTags("1");

        Assert.Equal("a/b", original.RepositoryName);
        Assert.False(original.AutoCreateRepository);
        Assert.Empty(original.TargetTags);
        Assert.Equal("c/d", changed.RepositoryName);
        Assert.True(changed.AutoCreateRepository);
    }

    [Fact]
    public void Tag_lists_are_set_added_removed_and_cleared_keeping_order_and_duplicates()
    {
        var settings = new EcrPushSettings().SetTargetTags("1", "2").AddTargetTags("3", "2").AddTargetTags(["4"]);
        Assert.Equal(["1", "2", "3", "2", "4"], settings.TargetTags);

        Assert.Equal(["1", "3", "4"], settings.RemoveTargetTags("2").TargetTags);
        Assert.Empty(settings.ClearTargetTags().TargetTags);
        Assert.Empty(settings.ResetTargetTags().TargetTags);
        Assert.Equal(["x"], settings.SetTargetTags(new List<string> { "x" }).TargetTags);
    }

    [Fact]
    public void Enable_disable_toggle_and_reset()
    {
        var settings = new EcrPushSettings();

        Assert.True(settings.EnableAutoCreateRepository().AutoCreateRepository);
        Assert.False(settings.EnableAutoCreateRepository().DisableAutoCreateRepository().AutoCreateRepository);
        Assert.True(settings.ToggleAutoCreateRepository().AutoCreateRepository);
        Assert.False(settings.EnableAutoCreateRepository().ResetAutoCreateRepository().AutoCreateRepository);
        Assert.True(settings.ToggleUseFipsEndpoint().UseFipsEndpoint);
        Assert.Null(settings.EnableUseDualStackEndpoint().ResetUseDualStackEndpoint().UseDualStackEndpoint);
        Assert.Null(settings.SetRegion("us-east-1").ResetRegion().Region);
        Assert.Equal(ImageIdentity.ImageName, settings.SetImageIdentity(ImageIdentity.ImageId).ResetImageIdentity().ImageIdentity);
    }

    [Fact]
    public void Object_initializer_and_fluent_methods_agree()
    {
        var fluent = new EcrPushSettings().SetRegion("eu-west-1").SetSourceImageName("web").SetRepositoryName("team/web").SetTargetTags("1", "latest").AddRepositoryTag("team", "web");
        var initialized = new EcrPushSettings { Region = "eu-west-1", SourceImageName = "web", RepositoryName = "team/web", TargetTags = ["1", "latest"], RepositoryTags = new Dictionary<string, string> { ["team"] = "web" } };

        // Property by property, lists and dictionaries by their contents.
        Assert.Equivalent(initialized, fluent, strict: true);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Assert.Equivalent(initialized, fluent.SetTargetTags("1"), strict: true));
    }

    [Fact]
    public void ToString_names_every_setting_and_prints_no_proxy_password_or_policy_text()
    {
        var settings = new EcrPushSettings()
            .SetProxy("http://proxy-user:pr0xy-pass@proxy:3128")
            .SetLifecyclePolicy("{\"rules\":[]}")
            .AddRepositoryTag("team", "web");
        var text = settings.ToString();

        foreach (var property in typeof(EcrPushSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
        {
            Assert.Contains($" {property.Name} = ", " " + text.Replace("{ ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.Contains("Proxy = http://***@proxy:3128", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pass", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pass", settings.SetProxy("proxy-user:pr0xy-pass@proxy:3128").ToString(), StringComparison.Ordinal);
        Assert.Contains("LifecyclePolicy = (12 characters)", text, StringComparison.Ordinal);
        Assert.Contains("RepositoryTags = [team=web]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_hides_secrets_and_the_result_prints_its_reference()
    {
        var settings = new EcrPushSettings().SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("s3cr3t-value").SetAwsSessionToken("t0k3n-value");

        Assert.Contains("AKIAIOSFODNN7EXAMPLE", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n-value", settings.ToString(), StringComparison.Ordinal);

        var result = new EcrPushResult([
            new EcrPushedImage { ImageReferences = ["h/r:1", "h/r:2"], Digest = "sha256:00", RepositoryUri = "h/r", RegistryId = "123456789012", Region = "us-east-1", RepositoryCreated = false },
            new EcrPushedImage { ImageReferences = ["g/r:1", "g/r:2"], Digest = "sha256:00", RepositoryUri = "g/r", RegistryId = "123456789012", Region = "eu-west-1", RepositoryCreated = true },
        ]);
        Assert.Equal("h/r:1", result.ToString());
        Assert.Equal("h/r@sha256:00", result.DigestReference);
        Assert.Equal("us-east-1", result.FirstDestination.Region);
        Assert.Equal(["h/r:1", "h/r:2", "g/r:1", "g/r:2"], result.AllImageReferences);
    }
}

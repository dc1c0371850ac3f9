using System.Text.RegularExpressions;
using Ecr.Internal;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Tests.Aws;

public sealed class SecretSettingsTests
{
    // Every AWS setting with text of its own that the AWS options carry, each with a value found nowhere else.
    private static readonly (string Setting, string Value)[] AwsSettings =
    [
        (nameof(EcrPushSettings.AwsAccessKeyId), "AKIAPRINTTEST0000001"),
        (nameof(EcrPushSettings.AwsSecretAccessKey), "print-test-secret-access-key"),
        (nameof(EcrPushSettings.AwsSessionToken), "print-test-session-token"),
        (nameof(EcrPushSettings.AwsRoleArn), "arn:aws:iam::123456789012:role/print-test"),
        (nameof(EcrPushSettings.AwsExternalId), "print-test-external-id"),
        (nameof(EcrPushSettings.AwsRoleSessionName), "print-test-session"),
    ];

    [Fact]
    public void The_settings_and_the_AWS_options_show_and_hide_the_same_settings()
    {
        var settings = new EcrPushSettings().SetSourceImageName("web").SetRepositoryName("team/web").SetRegion("us-east-1")
            .SetProxy("http://builder:pr0xy-s3cret@proxy.example:3128");
        foreach (var (setting, value) in AwsSettings)
        {
            typeof(EcrPushSettings).GetProperty(setting)!.SetValue(settings, value);
        }

        var settingsText = settings.ToString();
        var optionsText = SettingsValidator.Validate(settings).Aws.ToString();

        Assert.Equal(SecretSettings.Names.Order(StringComparer.Ordinal), AwsSettings.Select(s => s.Setting).Where(SecretSettings.Names.Contains).Order(StringComparer.Ordinal));
        foreach (var (setting, value) in AwsSettings)
        {
            var secret = SecretSettings.Names.Contains(setting);
            Assert.True(secret != settingsText.Contains(value, StringComparison.Ordinal), $"{setting}: the settings {(secret ? "show" : "hide")} it: {settingsText}");
            Assert.True(secret != optionsText.Contains(value, StringComparison.Ordinal), $"{setting}: the AWS options {(secret ? "show" : "hide")} it: {optionsText}");
        }

        // Each secret as the mask, and the proxy without its password, in both.
        foreach (var text in new[] { settingsText, optionsText })
        {
            Assert.Equal(SecretSettings.Names.Count, Regex.Count(text, @"= \*\*\*,"));
            Assert.Contains("Proxy = http://***@proxy.example:3128", text, StringComparison.Ordinal);
            Assert.DoesNotContain("pr0xy-s3cret", text, StringComparison.Ordinal);
            Assert.DoesNotContain("builder", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_external_ID_is_not_a_secret()
    {
        // AWS's IAM User Guide: AWS does not treat the external ID as a secret (see SecretSettings).
        Assert.DoesNotContain(nameof(EcrPushSettings.AwsExternalId), SecretSettings.Names);
        Assert.Equal("ext-1", SecretSettings.Shown(nameof(EcrPushSettings.AwsExternalId), "ext-1"));
        Assert.Equal(SecretSettings.Mask, SecretSettings.Shown(nameof(EcrPushSettings.AwsSecretAccessKey), "s"));
        Assert.Null(SecretSettings.Shown(nameof(EcrPushSettings.AwsSessionToken), null));
    }

    [Theory]
    [InlineData("http://user:pass@proxy:3128", "http://***@proxy:3128")]
    [InlineData("user:pass@proxy:3128", "***@proxy:3128")]
    [InlineData("http://proxy:3128", "http://proxy:3128")]
    [InlineData(null, null)]
    public void A_proxy_shows_without_its_user_and_password(string? proxy, string? shown)
        => Assert.Equal(shown, SecretSettings.ShownProxy(proxy));
}

namespace Ecr.Internal;

/// <summary>The checks of the AWS credential settings: one source, whole key pairs, secrets never shown.</summary>
internal static partial class SettingsValidator
{
    private static void CheckCredentials(EcrPushSettings settings, List<string> problems)
    {
        var hasKeys = settings.AwsAccessKeyId is not null || settings.AwsSecretAccessKey is not null;
        if (settings.AwsAccessKeyId is null && settings.AwsSecretAccessKey is not null)
        {
            problems.Add("AwsSecretAccessKey is set without AwsAccessKeyId: set both, or neither to use the environment's credentials.");
        }

        if (settings.AwsAccessKeyId is not null && settings.AwsSecretAccessKey is null)
        {
            problems.Add($"AwsAccessKeyId {Show(settings.AwsAccessKeyId)} is set without AwsSecretAccessKey: set both, or neither to use the environment's credentials.");
        }

        if (settings.AwsSessionToken is not null && !hasKeys)
        {
            problems.Add("AwsSessionToken is set without AwsAccessKeyId and AwsSecretAccessKey: a session token belongs to temporary keys; set all three.");
        }

        CheckOptional(nameof(settings.AwsAccessKeyId), settings.AwsAccessKeyId, Names.AccessKeyId(), "an AWS access key ID: 16 to 128 upper-case letters and digits (AKIA…, ASIA…)", problems);
        CheckSecret(nameof(settings.AwsSecretAccessKey), settings.AwsSecretAccessKey, problems);
        CheckSecret(nameof(settings.AwsSessionToken), settings.AwsSessionToken, problems);

        var sources = new List<string>();
        if (settings.AwsCredentials is not null)
        {
            sources.Add("AwsCredentials");
        }

        if (hasKeys)
        {
            sources.Add("AwsAccessKeyId/AwsSecretAccessKey");
        }

        if (settings.AwsProfile is not null)
        {
            sources.Add("AwsProfile");
        }

        if (sources.Count > 1)
        {
            problems.Add($"{string.Join(" and ", sources)} are both set: give credentials one way, so that it is clear which are used.");
        }

        if (settings.AwsProfile is not null && (settings.AwsProfile.Length == 0 || settings.AwsProfile.Trim() != settings.AwsProfile || settings.AwsProfile.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            problems.Add($"AwsProfile {Show(settings.AwsProfile)} is not a profile name: profile names have no white space; set the name as it stands in ~/.aws/config.");
        }

        CheckOptional(nameof(settings.AwsRoleArn), settings.AwsRoleArn, Names.RoleArn(), "an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>", problems);
        CheckOptional(nameof(settings.AwsRoleSessionName), settings.AwsRoleSessionName, Names.RoleSessionName(), "2 to 64 letters, digits and + = , . @ _ -", problems);
        if (settings.AwsRoleArn is null && (settings.AwsExternalId is not null || settings.AwsRoleSessionName is not null))
        {
            problems.Add("AwsExternalId or AwsRoleSessionName is set without AwsRoleArn: they apply only when assuming a role; set AwsRoleArn or reset them.");
        }

        if (settings.AwsExternalId is not null && (settings.AwsExternalId.Length is < 2 or > 1224 || settings.AwsExternalId.Any(char.IsWhiteSpace)))
        {
            problems.Add($"AwsExternalId {Show(settings.AwsExternalId)} is not an external ID: 2 to 1224 characters with no white space.");
        }
    }

    private static void CheckSecret(string setting, string? value, List<string> problems)
    {
        // The value itself never goes into a message.
        if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            problems.Add($"{setting} (value hidden, {value.Length} characters) is empty or contains white space: copy the value again without spaces or line breaks.");
        }
    }
}

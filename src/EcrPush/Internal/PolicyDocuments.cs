namespace Ecr.Internal;

/// <summary>The repository and lifecycle policies of a repository the push creates: read from text or a file, checked to be JSON of ECR's length.</summary>
internal static class PolicyDocuments
{
    /// <summary>A policy given as JSON text or as a file: read, and checked to be JSON of ECR's allowed length.</summary>
    public static string? Read(string setting, string? text, string? file, int minLength, int maxLength, List<string> problems)
    {
        if (text is not null && file is not null)
        {
            problems.Add($"{setting} and {setting}File are both set: give the policy one way.");
            return null;
        }

        var source = text is not null ? setting : $"{setting}File {SettingsValidator.Show(file ?? string.Empty)}";
        if (file is not null)
        {
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add($"{source} could not be read ({exception.Message}): give the path of a readable JSON file.");
                return null;
            }
        }

        if (text is null)
        {
            return null;
        }

        if (text.Length < minLength || text.Length > maxLength)
        {
            problems.Add($"{source} has {text.Length} characters: ECR takes {minLength} to {maxLength}.");
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            return text;
        }
        catch (System.Text.Json.JsonException exception)
        {
            problems.Add($"{source} is not JSON ({exception.Message}): give the policy document as ECR's console or CLI shows it.");
            return null;
        }
    }
}

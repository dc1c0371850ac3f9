namespace Ecr.Internal;

/// <summary>The repository and lifecycle policies of a repository the push creates: read from text or a file, checked to be JSON of ECR's length.</summary>
internal static class PolicyDocuments
{
    /// <summary>A policy given as JSON text or as a file: read, and checked to be JSON of ECR's allowed length.</summary>
    public static string? Read(string setting, string? text, string? file, int minLength, int maxLength, List<string> problems, Func<string, System.Text.Json.JsonElement, List<string>, bool>? check = null)
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
            return check is null || check(source, document.RootElement, problems) ? text : null;
        }
        catch (System.Text.Json.JsonException exception)
        {
            problems.Add($"{source} is not JSON ({exception.Message}): give the policy document as ECR's console or CLI shows it.");
            return null;
        }
    }

    /// <summary>
    /// A lifecycle policy: JSON of ECR's length, and its archive rules (ECR's archive storage class, November 2025) as ECR
    /// takes them: a <c>transition</c> action moves images to <c>targetStorageClass</c> <c>archive</c>, the only class a rule
    /// transitions to; a selection's <c>storageClass</c> is <c>standard</c> or <c>archive</c>. Anything else in a rule
    /// (<c>sinceImagePulled</c>, <c>sinceImagePushed</c>, expire) is ECR's to judge.
    /// </summary>
    public static string? ReadLifecyclePolicy(string? text, string? file, List<string> problems)
        => Read(nameof(EcrPushSettings.LifecyclePolicy), text, file, 100, 30720, problems, CheckArchiveRules);

    private static bool CheckArchiveRules(string source, System.Text.Json.JsonElement policy, List<string> problems)
    {
        if (policy.ValueKind != System.Text.Json.JsonValueKind.Object || !policy.TryGetProperty("rules", out var rules) || rules.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return true;
        }

        var before = problems.Count;
        var index = 0;
        foreach (var rule in rules.EnumerateArray())
        {
            var where = $"{source}: rules[{index++}]";
            var action = Member(rule, "action");
            var type = Text(action, "type");
            var target = Text(action, "targetStorageClass");
            if (string.Equals(type, "transition", StringComparison.OrdinalIgnoreCase) && !string.Equals(target, "archive", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(target is null
                    ? $"{where} transitions images but names no targetStorageClass: add \"targetStorageClass\": \"archive\" to its action (archive is the class ECR transitions to)."
                    : $"{where} transitions images to targetStorageClass {SettingsValidator.Show(target)}: ECR transitions to archive only; set \"targetStorageClass\": \"archive\".");
            }
            else if (target is not null && !string.Equals(type, "transition", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{where} has targetStorageClass {SettingsValidator.Show(target)} with the action type {SettingsValidator.Show(type ?? "(none)")}: a target storage class goes with \"type\": \"transition\" only.");
            }

            if (Text(Member(rule, "selection"), "storageClass") is { } storageClass
                && !string.Equals(storageClass, "standard", StringComparison.OrdinalIgnoreCase) && !string.Equals(storageClass, "archive", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{where} selects the storageClass {SettingsValidator.Show(storageClass)}: ECR's storage classes are standard and archive.");
            }
        }

        return problems.Count == before;
    }

    private static System.Text.Json.JsonElement? Member(System.Text.Json.JsonElement? element, string name)
        => element is { ValueKind: System.Text.Json.JsonValueKind.Object } value && value.TryGetProperty(name, out var member) ? member : null;

    private static string? Text(System.Text.Json.JsonElement? element, string name)
        => Member(element, name) is { ValueKind: System.Text.Json.JsonValueKind.String } value ? value.GetString() : null;
}

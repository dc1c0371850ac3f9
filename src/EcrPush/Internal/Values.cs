namespace Ecr.Internal;

/// <summary>How a setting or a variable counts as given: blank means unset, and surrounding white space is not part of it.</summary>
internal static class Values
{
    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

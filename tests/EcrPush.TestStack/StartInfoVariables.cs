using System.Diagnostics;

namespace Ecr.TestStack;

/// <summary>Environment variables for a child process, the way the stack and the tests give them.</summary>
public static class StartInfoVariables
{
    /// <summary>Sets each variable on <paramref name="startInfo"/>; a <see langword="null"/> value removes it.</summary>
    public static void SetVariables(this ProcessStartInfo startInfo, IReadOnlyDictionary<string, string?>? variables)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        foreach (var (name, value) in variables ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }
    }
}

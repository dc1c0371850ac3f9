using Amazon.Runtime.CredentialManagement;
using static Ecr.Internal.Values;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>
/// The shared AWS files (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE)
/// as seen through <see cref="IEnvironment"/>, read by the SDK's profile store.
/// </summary>
internal static class AwsSharedFiles
{
    public const string ProfileVariable = "AWS_PROFILE";
    public const string CredentialsFileVariable = "AWS_SHARED_CREDENTIALS_FILE";
    public const string ConfigFileVariable = "AWS_CONFIG_FILE";
    public const string DefaultProfile = "default";

    public static string CredentialsFile(IEnvironment environment)
        => Expand(environment.GetVariable(CredentialsFileVariable), environment) ?? Path.Combine(Home(environment), ".aws", "credentials");

    public static string ConfigFile(IEnvironment environment)
        => Expand(environment.GetVariable(ConfigFileVariable), environment) ?? Path.Combine(Home(environment), ".aws", "config");

    /// <summary>For messages: the two files a profile is looked up in.</summary>
    public static string Describe(IEnvironment environment) => $"{CredentialsFile(environment)} and {ConfigFile(environment)}";

    /// <summary>The profile the SDK would use: the explicit one, else AWS_PROFILE, else "default".</summary>
    public static string ProfileName(string? explicitProfile, IEnvironment environment)
        => NonEmpty(explicitProfile) ?? NonEmpty(environment.GetVariable(ProfileVariable)) ?? DefaultProfile;

    /// <summary>
    /// Finds a profile in the shared files. The SDK store reads the config file next to the credentials file, or
    /// AWS_CONFIG_FILE of the process; on Windows the .NET SDK's encrypted store is also searched.
    /// </summary>
    public static CredentialProfile? FindProfile(string name, IEnvironment environment, out ICredentialProfileSource source)
    {
        var shared = new CredentialProfileStoreChain(CredentialsFile(environment));
        source = shared;
        if (shared.TryGetProfile(name, out var profile))
        {
            return profile;
        }

        if (OperatingSystem.IsWindows())
        {
            var all = new CredentialProfileStoreChain();
            if (all.TryGetProfile(name, out profile))
            {
                source = all;
                return profile;
            }
        }

        return null;
    }

    /// <summary>The error for a profile the settings name but the files do not hold.</summary>
    public static EcrPushException ProfileNotFound(string name, IEnvironment environment)
        => new($"The AWS profile '{name}' (AwsProfile) was not found. Looked in {Describe(environment)} (AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move them). Check the name, or create the profile (aws configure --profile {name}).");

    private static string? Expand(string? path, IEnvironment environment)
    {
        path = NonEmpty(path);
        if (path is null)
        {
            return null;
        }

        // The CLI and SDKs accept "~/" in these variables.
        return path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? Path.Combine(Home(environment), path[2..])
            : path;
    }

    /// <summary>
    /// The home folder as the SDK finds it (HOME, USERPROFILE, else the working directory): a home that does not exist comes back empty from
    /// GetFolderPath, and an empty home must not turn into paths relative to the working directory.
    /// </summary>
    private static string Home(IEnvironment environment)
        => NonEmpty(environment.HomeDirectory)
            ?? NonEmpty(environment.GetVariable("HOME"))
            ?? NonEmpty(environment.GetVariable("USERPROFILE"))
            ?? Directory.GetCurrentDirectory();
}

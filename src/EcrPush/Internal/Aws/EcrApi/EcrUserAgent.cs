using System.Reflection;
using Amazon.Runtime;


namespace Ecr.Internal.Aws.EcrApi;

/// <summary>The User-Agent of the ECR calls: this library and the AWSSDK.Core that signs them, e.g. <c>EcrPush/1.0.0 aws-sdk-dotnet-core/4.1.0</c>.</summary>
internal static class EcrUserAgent
{
    public static string Value { get; } = $"EcrPush/{VersionOf(typeof(EcrUserAgent).Assembly)} aws-sdk-dotnet-core/{VersionOf(typeof(AWSCredentials).Assembly)}";

    private static string VersionOf(Assembly assembly)
    {
        // The informational version carries "+<commit>" with SourceLink; the file version is the SDK's own number.
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var file = assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version;
        var version = assembly == typeof(AWSCredentials).Assembly ? file : informational ?? file;
        if (string.IsNullOrEmpty(version))
        {
            return "0.0.0";
        }

        var plus = version.IndexOf('+', StringComparison.Ordinal);
        version = plus >= 0 ? version[..plus] : version;
        return Version.TryParse(version, out var parsed) && parsed.Revision == 0 ? parsed.ToString(3) : version;
    }
}

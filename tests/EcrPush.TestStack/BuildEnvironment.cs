namespace Ecr.TestStack;

/// <summary>The environment of a build process (Cake, Nuke) that the tests point at a stack the way a build is pointed at AWS.</summary>
public static class BuildEnvironment
{
    // CI systems, a user's AWS set-up and proxies: each would change what a push does or prints.
    private static readonly string[] ForeignVariables =
    [
        "TF_BUILD", "GITHUB_ACTIONS", "TEAMCITY_VERSION", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    ];

    /// <summary>
    /// The stack's standard AWS variables and <c>DOCKER_HOST</c>, no colours, no MSBuild nodes that outlive a build
    /// started by the process, and the variables of CI systems, AWS profiles and proxies removed (a <see langword="null"/> value).
    /// </summary>
    /// <param name="stack">The running stack.</param>
    /// <returns>Variables for <see cref="StartInfoVariables.SetVariables"/>; the caller may add to it.</returns>
    public static Dictionary<string, string?> For(LocalEcrStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in ForeignVariables)
        {
            environment[name] = null;
        }

        foreach (var (name, value) in stack.AwsEnvironment)
        {
            environment[name] = value;
        }

        environment["DOCKER_HOST"] = stack.DockerHost;
        environment["NO_COLOR"] = "1";

        // A build that the process starts must not leave MSBuild nodes holding the output pipe open after it ends.
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        return environment;
    }
}

namespace Ecr.Benchmarks;

/// <summary>The contenders that are not EcrPush: the shell recipes (aws CLI, credential helper, skopeo) and the bare <c>docker push</c> floor.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
        private const string AwsRecipe = """
            set -euo pipefail
            if [ "${CREATE:-0}" = 1 ]; then "$AWS_BIN" ecr create-repository --repository-name "$REPO"; fi
            "$AWS_BIN" ecr get-login-password | "$DOCKER_BIN" login --username AWS --password-stdin "$HOST"
            "$DOCKER_BIN" tag "$SRC" "$REF"
            "$DOCKER_BIN" push "$REF"
            "$DOCKER_BIN" rmi "$REF"
            """;

        private const string HelperRecipe = """
            set -euo pipefail
            "$DOCKER_BIN" tag "$SRC" "$REF"
            "$DOCKER_BIN" push "$REF"
            "$DOCKER_BIN" rmi "$REF"
            """;

        // The engine-free recipe: skopeo pushes an OCI layout with the ECR token. The token goes from the aws CLI into a
        // shell variable and from there into skopeo's --dest-creds (skopeo 1.9 reads a password from no stdin or
        // variable): it is never printed, logged or written to a file, though it is in skopeo's argv while skopeo runs.
        private const string SkopeoRecipe = """
            set -euo pipefail
            if [ "${CREATE:-0}" = 1 ]; then "$AWS_BIN" ecr create-repository --repository-name "$REPO" >/dev/null; fi
            token="$("$AWS_BIN" ecr get-login-password)"
            "$SKOPEO_BIN" copy --quiet --dest-creds "AWS:$token" "oci:$LAYOUT" "docker://$REF"
            """;

        private async Task<IReadOnlyList<(string, Sample)>> AwsRecipeAsync(string key, string source, string repository, string tag, bool create)
        {
            var config = WriteDockerConfig("aws", "{}");
            var result = await Exec.RunAsync(tools.Bash, ["-c", AwsRecipe], With(new()
            {
                ["DOCKER_CONFIG"] = config,
                ["AWS_BIN"] = tools.Aws,
                ["DOCKER_BIN"] = tools.Docker,
                ["HOST"] = _host,
                ["REPO"] = repository,
                ["SRC"] = source,
                ["REF"] = $"{_host}/{repository}:{tag}",
                ["CREATE"] = create ? "1" : "0",
            }));
            Check(result, "the aws-CLI recipe");
            return [(key, new Sample(result.Seconds))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> HelperRecipeAsync(string key, string source, string repository, string tag, bool cache)
        {
            var config = WriteDockerConfig(key, "{\"credHelpers\":{\"" + _host + "\":\"ecr-login\"}}");
            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["DOCKER_CONFIG"] = config,
                ["DOCKER_BIN"] = tools.Docker,
                ["SRC"] = source,
                ["REF"] = $"{_host}/{repository}:{tag}",
                ["AWS_ECR_CACHE_DIR"] = Path.Combine(_directory, "ecr-helper-cache-" + key),
            };
            if (!cache)
            {
                variables["AWS_ECR_DISABLE_CACHE"] = "true";
            }

            var result = await Exec.RunAsync(tools.Bash, ["-c", HelperRecipe], With(variables));
            Check(result, "the credential-helper recipe");
            return [(key, new Sample(result.Seconds))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> SkopeoRecipeAsync(string key, string layout, string repository, string tag)
        {
            var result = await Exec.RunAsync(tools.Bash, ["-c", SkopeoRecipe], With(new()
            {
                ["AWS_BIN"] = tools.Aws,
                ["SKOPEO_BIN"] = tools.Skopeo!,
                ["REPO"] = repository,
                ["LAYOUT"] = layout,
                ["REF"] = $"{_host}/{repository}:{tag}",
                ["CREATE"] = "1",
                ["SSL_CERT_FILE"] = _registryTrust["SSL_CERT_FILE"],
            }));
            Check(result, "the skopeo recipe");
            return [(key, new Sample(result.Seconds))];
        }

        private async Task<IReadOnlyList<(string, Sample)>> FloorAsync(string reference)
        {
            var result = await Exec.RunAsync(tools.Docker, ["push", reference], With(new() { ["DOCKER_CONFIG"] = _floorConfig }));
            Check(result, "docker push");
            return [("floor", new Sample(result.Seconds))];
        }
    }
}

using System.Globalization;
using System.Text;

namespace Ecr.Internal.Ci;

/// <summary>
/// The CI system running the build, as far as a push cares: how to mask a secret in its log and how to set
/// a variable for the steps after. Detected from the variables each CI sets on its agents.
/// </summary>
internal abstract class CiService
{
    /// <summary>Tells the CI to hide a value wherever it appears in the log from now on.</summary>
    public abstract void MaskSecret(string secret, IPushLog log);

    /// <summary>Sets a variable for later steps.</summary>
    public abstract void SetVariable(string name, string value, IPushLog log);

    public static CiService Detect(IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (string.Equals(environment.GetVariable("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
        {
            return new AzurePipelines();
        }

        if (string.Equals(environment.GetVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return new GitHubActions(environment);
        }

        if (environment.GetVariable("TEAMCITY_VERSION") is not null)
        {
            return new TeamCity();
        }

        return new NoCi();
    }

    private sealed class AzurePipelines : CiService
    {
        public override void MaskSecret(string secret, IPushLog log) => log.ServiceMessage($"##vso[task.setsecret]{Escape(secret)}");

        public override void SetVariable(string name, string value, IPushLog log)
        {
            log.ServiceMessage($"##vso[task.setvariable variable={name}]{Escape(value)}");
            log.Information($"Set the Azure Pipelines variable {name} to {value}.");
        }

        // The logging command's own escapes, so that a value cannot end the command or start another.
        private static string Escape(string value) => value.Replace("%", "%AZP25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);
    }

    private sealed class GitHubActions(IEnvironment environment) : CiService
    {
        // The runner unescapes a command's data as the Actions toolkit escapes it (escapeData: %, CR, LF), so a value
        // with a line break is masked whole instead of ending the command and showing its rest.
        public override void MaskSecret(string secret, IPushLog log) => log.ServiceMessage($"::add-mask::{Escape(secret)}");

        private static string Escape(string value) => value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

        public override void SetVariable(string name, string value, IPushLog log)
        {
            // Both: an output for `steps.<id>.outputs.NAME`, and an environment variable for every later step.
            foreach (var file in new[] { "GITHUB_OUTPUT", "GITHUB_ENV" })
            {
                if (environment.GetVariable(file) is { } path)
                {
                    File.AppendAllText(path, $"{name}={value}\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                }
                else
                {
                    log.Warning($"{file} is not set, so {name} could not be written there: this does not look like a GitHub Actions step.");
                }
            }

            log.Information($"Set the GitHub Actions output and environment variable {name} to {value}.");
        }
    }

    private sealed class TeamCity : CiService
    {
        // TeamCity has no command to mask a value at run time; it masks parameters of the password type.
        public override void MaskSecret(string secret, IPushLog log)
        {
        }

        public override void SetVariable(string name, string value, IPushLog log)
        {
            log.ServiceMessage(string.Create(CultureInfo.InvariantCulture, $"##teamcity[setParameter name='env.{name}' value='{Escape(value)}']"));
            log.Information($"Set the TeamCity parameter env.{name} to {value}.");
        }

        private static string Escape(string value) => value
            .Replace("|", "||", StringComparison.Ordinal).Replace("'", "|'", StringComparison.Ordinal)
            .Replace("[", "|[", StringComparison.Ordinal).Replace("]", "|]", StringComparison.Ordinal)
            .Replace("\n", "|n", StringComparison.Ordinal).Replace("\r", "|r", StringComparison.Ordinal);
    }

    private sealed class NoCi : CiService
    {
        public override void MaskSecret(string secret, IPushLog log)
        {
        }

        public override void SetVariable(string name, string value, IPushLog log)
            => log.Information($"No CI detected (Azure Pipelines, GitHub Actions, TeamCity), so the output variable {name} was not set; the pushed reference is {value}.");
    }
}

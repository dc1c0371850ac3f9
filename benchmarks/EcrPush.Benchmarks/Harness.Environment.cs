using System.Runtime.InteropServices;

namespace Ecr.Benchmarks;

/// <summary>The run's surroundings: the machine, the environment every program gets, docker configs and docker calls.</summary>
internal static partial class Harness
{
    private sealed partial class Run
    {
        private void PrintMachine()
        {
            var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            Console.WriteLine($"EcrPush benchmark: {Environment.ProcessorCount} cores (nproc), {cpu}, {memory} memory; .NET {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($"  aws CLI: {tools.Aws} ({Tools.Version(tools.Aws, "--version")})");
            Console.WriteLine($"  docker CLI: {tools.Docker} ({Tools.Version(tools.Docker, "--version")})");
            Console.WriteLine($"  credential helper: {tools.CredentialHelper} ({Tools.Version(tools.CredentialHelper, "version")})");
            Console.WriteLine($"  moto_server: {tools.MotoServer}");
            Console.WriteLine($"  EcrPush child: {Exe} (JIT); EcrPush.dll-only ReadyToRun build (the linux-x64 package's image): {options.ReadyToRunLibrary ?? "none (--r2r-lib)"}; all-ReadyToRun build: {options.ReadyToRun ?? "none (--r2r)"}");
        }

        private void PrepareEnvironment(TlsEcrApi api)
        {
            // The machine's environment minus anything that would point a program at another AWS account, Docker
            // engine, docker config or proxy; HOME is a folder of this run, so no tool reads or writes ~/.aws or ~/.docker.
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                var name = (string)entry.Key;
                if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("DOCKER_", StringComparison.Ordinal) ||
                    name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ECRPUSH_BENCH_", StringComparison.Ordinal))
                {
                    continue;
                }

                _environment[name] = (string)entry.Value!;
            }

            var home = Directory.CreateDirectory(Path.Combine(_directory, "home")).FullName;
            _environment["HOME"] = home;
            _environment["AWS_ACCESS_KEY_ID"] = "testing";
            _environment["AWS_SECRET_ACCESS_KEY"] = "testing";
            _environment["AWS_REGION"] = Region;
            _environment["AWS_DEFAULT_REGION"] = Region;
            _environment["AWS_EC2_METADATA_DISABLED"] = "true";
            _environment["AWS_CONFIG_FILE"] = Path.Combine(home, ".aws", "config");
            _environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, ".aws", "credentials");
            _environment["AWS_PAGER"] = string.Empty;
            _environment["AWS_CA_BUNDLE"] = api.CaBundle;
            _environment["SSL_CERT_FILE"] = api.CaBundle;
            _environment["DOCKER_HOST"] = _stack.DockerHost;
        }

        /// <summary>
        /// For the pushes without an engine (EcrPush's registry client, skopeo), which reach the registry themselves: this
        /// namespace's /etc/hosts names the registry host at the stack's registry gateway, and their CA bundle
        /// (SSL_CERT_FILE, a file of this run) adds the stack's authority to this run's; the engine has both in its own
        /// namespace. The other contenders keep the bundle they had.
        /// </summary>
        private async Task ReachRegistryWithoutEngineAsync(TlsEcrApi api)
        {
            PrivateNamespace.AddHosts([$"{_stack.RegistryEndPoint(Region).Address} {_host}"]);
            var bundle = Path.Combine(_directory, "ecr-api-tls", "ca-bundle-and-registry.pem");
            await File.WriteAllTextAsync(bundle, await File.ReadAllTextAsync(api.CaBundle) + "\n" + await File.ReadAllTextAsync(Path.Combine(_stack.StateDirectory, "tls", "ca.crt")));
            _registryTrust = new(StringComparer.Ordinal) { ["SSL_CERT_FILE"] = bundle };
        }

        private async Task CheckDockerCliAsync()
        {
            var result = await Exec.RunAsync(tools.Docker, ["version", "--format", "{{.Server.APIVersion}}"], With(new() { ["DOCKER_CONFIG"] = _floorConfigOrEmpty() }));
            if (result.ExitCode != 0)
            {
                _environment["DOCKER_API_VERSION"] = "1.41";
                result = await Exec.RunAsync(tools.Docker, ["version", "--format", "{{.Server.APIVersion}}"], With(new() { ["DOCKER_CONFIG"] = _floorConfigOrEmpty() }));
                Check(result, "docker version (with DOCKER_API_VERSION=1.41)");
                Console.WriteLine("  The docker CLI needs DOCKER_API_VERSION=1.41 for this engine; set for every recipe.");
            }

            Console.WriteLine($"  Engine API version {result.Output.Trim()}");
        }

        private string _floorConfigOrEmpty() => Directory.CreateDirectory(Path.Combine(_directory, "docker-config-probe")).FullName;

        private Dictionary<string, string> With(Dictionary<string, string> extra)
        {
            var environment = new Dictionary<string, string>(_environment, StringComparer.Ordinal);
            foreach (var (name, value) in extra)
            {
                environment[name] = value;
            }

            return environment;
        }

        /// <summary>A DOCKER_CONFIG folder of this run (never ~/.docker), with the given config.json; deleted with the run's folder.</summary>
        private string WriteDockerConfig(string name, string json)
        {
            var directory = Directory.CreateDirectory(Path.Combine(_directory, "docker-config-" + name)).FullName;
            File.WriteAllText(Path.Combine(directory, "config.json"), json);
            return directory;
        }

        private async Task DockerAsync(string config, params string[] args)
        {
            var result = await Exec.RunAsync(tools.Docker, args, With(new() { ["DOCKER_CONFIG"] = config }));
            Check(result, "docker " + string.Join(' ', args));
        }

        private Task BuildBigAsync(string reference) => _stack.BuildImageAsync(reference, BigLayers, BigLayerBytes);

        private Task RemoveAsync(params string[] references) => DockerAsync(_floorConfig, ["rmi", .. references]);

        private void Check(ExecResult result, string what)
        {
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed: {result.Describe()}");
            }

            if (options.Verbose)
            {
                Console.WriteLine($"    [{what}: {result.Seconds:0.000} s]");
            }
        }
    }
}

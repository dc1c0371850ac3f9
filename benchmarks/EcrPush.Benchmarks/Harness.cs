using System.Text;
using Ecr.TestStack;

namespace Ecr.Benchmarks;

/// <summary>
/// Starts the local ECR stand-in and a TLS ECR API at the real host name, then runs the cases: every contender on
/// the same image, engine, registry and API, in rotating order, after warm-up runs that are not counted.
/// </summary>
internal static partial class Harness
{
    private const string Region = "us-east-1";
    private const string SmallImage = "bench-small:1";
    private const int SmallLayers = 5;
    private const int SmallLayerBytes = 1024 * 1024;
    private const int BigLayers = 10;
    private const int BigLayerBytes = 10 * 1024 * 1024;

    public static int Execute(string[] args)
    {
        if (Options.Parse(args) is not { } options)
        {
            return 2;
        }

        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("The benchmark runs on Linux as root: the local ECR stand-in starts its own dockerd, and the harness a private mount namespace.");
            return 2;
        }

        if (Tools.Locate(options) is not { } tools)
        {
            return 3;
        }

        if (PrivateNamespace.Directory is null)
        {
            return PrivateNamespace.ReExec(args, options.Nice);
        }

        try
        {
            return new Run(options, tools).ExecuteAsync().GetAwaiter().GetResult();
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"The benchmark failed: {exception}");
            return 1;
        }
    }

    /// <summary>One contender's measurement in one run; some give several rows (first and second call of one process).</summary>
    private sealed record Contender(string Key, Func<int, Task<IReadOnlyList<(string Row, Sample Sample)>>> RunAsync, Func<int, Task>? Before = null, Func<int, Task>? After = null);

    private sealed partial class Run(Options options, Tools tools)
    {
        private readonly string _directory = PrivateNamespace.Directory!;
        private readonly List<string> _goals = [];
        private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
        private LocalEcrStack _stack = null!;
        private string _host = null!;
        private string _floorConfig = null!;
        private double _maxLoad;

        // The engine-free contenders' trust: this run's CA bundle plus the stack's authority (see ReachRegistryWithoutEngineAsync).
        private Dictionary<string, string> _registryTrust = [];

        private string Exe => Environment.ProcessPath!;

        public async Task<int> ExecuteAsync()
        {
            PrintMachine();
            if (options.Nice != 0)
            {
                Console.WriteLine($"  Running under nice -n {options.Nice} (--nice): the stack, the recipes and EcrPush alike.");
            }

            await using var stack = _stack = await LocalEcrStack.StartAsync(new LocalEcrStackOptions { Regions = [Region], Log = options.Verbose ? Console.Out : null });
            await using var api = await TlsEcrApi.StartAsync(_directory, [Region], tools.MotoServer);
            _host = stack.RegistryHost(Region);
            PrepareEnvironment(api);
            await CheckDockerCliAsync();
            Console.WriteLine($"Stack: dockerd at {stack.DockerHost}, registry https://{_host}, ECR API https://{TlsEcrApi.HostOf(Region)} (moto_server with TLS at {api.Address}:443; {api.TokenNote}); every program resolves these names through this run's /etc/hosts and trusts its CA.");

            if (options.Cases.Contains("engine-free") || options.Cases.Contains("parallelism"))
            {
                await ReachRegistryWithoutEngineAsync(api);
            }

            await stack.BuildImageAsync(SmallImage, SmallLayers, SmallLayerBytes);
            var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + LocalEcrStack.RegistryPassword));
            _floorConfig = WriteDockerConfig("floor", "{\"auths\":{\"" + _host + "\":{\"auth\":\"" + auth + "\"}}}");

            var cases = new List<(string Key, Func<Task<IReadOnlyList<Row>>> Body)>
            {
                ("new", NewRepositoryAsync),
                ("existing", ExistingRepositoryAsync),
                ("big", BigImageAsync),
                ("engine-free", EngineFreeAsync),
                ("parallelism", ParallelismAsync),
            };
            var results = new Dictionary<string, IReadOnlyList<Row>>(StringComparer.Ordinal);
            foreach (var (key, body) in cases.Where(c => options.Cases.Contains(c.Key)))
            {
                results[key] = await body();
            }

            if (options.TraceRuns > 0 && (options.Cases.Contains("new") || options.Cases.Contains("existing")))
            {
                await TraceAsync(results);
            }

            if (options.Probes)
            {
                await ProbesAsync();
            }

            if (options.Variants)
            {
                await VariantsAsync();
            }

            Summarize(results);
            return 0;
        }
    }
}

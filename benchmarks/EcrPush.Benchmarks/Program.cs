[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Ecr.Benchmarks;

/// <summary>
/// EcrPush against the aws-CLI recipe and the credential-helper recipe on one local ECR stand-in.
/// <code>
/// EcrPush.Benchmarks [--runs=7] [--warmups=1] [--big-runs=3] [--cases=new,existing,big,engine-free,parallelism] [--parallelisms=1,2,3,4,6] [--aws=/usr/bin/aws]
///                    [--r2r=PATH] [--r2r-lib=PATH] [--trace-runs=3] [--variants=true]
///                    [--probes=true] [--nice=0] [--install-tools] [--verbose] [--nuke-build=PATH]
/// </code>
/// The modes <c>push-once</c> and <c>serve</c> are the measured child processes (see <see cref="PushChild"/>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
        return mode switch
        {
            "push-once" => PushChild.RunOnce(args),
            "serve" => PushChild.Serve(),
            "probe" => Probes.Run(args),
            "run" => Harness.Execute(args),
            _ => Usage(mode),
        };
    }

    private static int Usage(string mode)
    {
        Console.Error.WriteLine($"Unknown mode '{mode}'. Usage: EcrPush.Benchmarks [--runs=7] [--warmups=1] [--big-runs=3] [--cases=new,existing,big,engine-free,parallelism] [--parallelisms=1,2,3,4,6] [--aws=PATH] [--r2r=PATH] [--r2r-lib=PATH] [--trace-runs=3] [--variants=true] [--probes=true] [--nice=0] [--install-tools] [--verbose] [--nuke-build=PATH]");
        return 2;
    }
}

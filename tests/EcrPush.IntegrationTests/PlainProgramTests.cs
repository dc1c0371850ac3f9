using System.Reflection;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>
/// A plain console program (tests/EcrPush.PlainProgram) that configures no logger sees the push's progress on the
/// console; one that configures Serilog's static Log, as a Nuke build does, gets it there and only there. A real
/// child process: the console and Serilog's static Log are the process's own.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class PlainProgramTests(StackFixture fixture)
{
    private static readonly string Program = typeof(PlainProgramTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PlainProgram").Value!;

    private LocalEcrStack Stack => fixture.Stack;

    [Fact]
    public async Task Without_a_configured_logger_the_progress_goes_to_the_console_as_plain_lines()
    {
        await Stack.BuildImageAsync("plain-program:1");
        var repository = StackChecks.NewRepository("plain-program");

        var run = (await RunAsync("plain-program:1", repository)).EnsureSucceeded();

        var host = Stack.RegistryHost(Stack.Regions[0]);
        Assert.Contains($"Pushing image plain-program:1 to the ECR repository {repository} as latest", run.Lines);
        Assert.Contains(run.Lines, line => line.StartsWith("Found image plain-program:1: ", StringComparison.Ordinal));
        Assert.Contains(run.Lines, line => line.StartsWith($"Pushed {host}/{repository}:latest (sha256:", StringComparison.Ordinal));
        Assert.Contains($"result: {host}/{repository}:latest", run.Lines);
        Assert.DoesNotContain(run.Lines, line => line.Contains("[serilog]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_Serilog_configured_the_progress_goes_there_and_not_also_to_the_console()
    {
        await Stack.BuildImageAsync("plain-program:2");
        var repository = StackChecks.NewRepository("plain-serilog");

        var run = (await RunAsync("plain-program:2", repository, "--serilog")).EnsureSucceeded();

        Assert.Contains($"[serilog] Pushing image plain-program:2 to the ECR repository {repository} as latest", run.Lines);
        Assert.DoesNotContain($"Pushing image plain-program:2 to the ECR repository {repository} as latest", run.Lines);
        Assert.DoesNotContain(run.Lines, line => line.StartsWith("Pushed ", StringComparison.Ordinal));
    }

    private Task<CommandResult> RunAsync(params string[] arguments)
        => ChildCommand.RunAsync("dotnet", [Program, .. arguments], Path.GetDirectoryName(Program)!, TimeSpan.FromMinutes(2), BuildEnvironment.For(Stack));
}

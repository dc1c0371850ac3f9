using System.Diagnostics;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>
/// The stand-in's teardown sweeps what its engine left by the engine's mount namespace. The kernel gives a freed
/// namespace's number to the next new one at once, and dockerd makes one for every layer it applies: a sweep by a
/// number no longer held once stopped another stack's layer ("ApplyLayer signal: terminated"). The stack holds its
/// engine's namespace open until the sweep is over; this shows that a held number is never handed out again.
/// </summary>
public sealed class StackTeardownTests
{
    [Fact]
    public async Task A_held_mount_namespace_keeps_its_number_so_the_sweep_never_finds_a_process_of_a_newer_namespace()
    {
        var own = ProcessTable.MountNamespaceOf(Environment.ProcessId);
        // The first process lives until the namespace is held, so that a slow machine cannot lose it before the hold.
        using var first = Process.Start("unshare", ["--mount", "sleep", "30"]);
        var firstNamespace = await NamespaceOfAsync(first, own);
        var held = ProcessTable.HoldMountNamespaceOf(first.Id) ?? throw new InvalidOperationException("The first namespace could not be opened.");
        using (held.Hold)
        {
            Assert.Equal(firstNamespace, held.Name);
            first.Kill();
            await first.WaitForExitAsync();

            using var second = Process.Start("unshare", ["--mount", "sleep", "30"]);
            try
            {
                var secondNamespace = await NamespaceOfAsync(second, own);
                Assert.NotEqual(held.Name, secondNamespace);
                Assert.DoesNotContain(second.Id, ProcessTable.FindInMountNamespace(held.Name));
            }
            finally
            {
                second.Kill();
                await second.WaitForExitAsync();
            }
        }
    }

    /// <summary>The namespace a process moved into with <c>unshare --mount</c> (before that, it is still ours).</summary>
    private static async Task<string> NamespaceOfAsync(Process process, string? own)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (ProcessTable.MountNamespaceOf(process.Id) is { } name && name != own)
            {
                return name;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"unshare (pid {process.Id}) did not reach a mount namespace of its own within 5 s: is this root, with util-linux?");
    }
}

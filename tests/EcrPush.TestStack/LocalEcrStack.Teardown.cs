using System.Diagnostics;
using System.Globalization;

namespace Ecr.TestStack;

// Stopping everything the stack started, sweeping what dockerd left behind, and deleting the state directory.
public sealed partial class LocalEcrStack
{
    private async Task TearDownAsync()
    {
        // DisposeAsync starts this under the lock; the work itself need not hold it.
        await Task.Yield();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var registration in _terminationSignals)
        {
            registration.Dispose();
        }

        var clock = Stopwatch.StartNew();
        ChildProcess[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        try
        {
            await StopEcrApiGatewayAsync().ConfigureAwait(false);

            // dockerd stops its containerd on SIGTERM; it gets more time to do so cleanly.
            foreach (var gateway in _gateways.Values)
            {
                await gateway.DisposeAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(processes.Select(StopAsync)).ConfigureAwait(false);
            await StopLeftoversAsync().ConfigureAwait(false);
            await UnmountLeftoversAsync().ConfigureAwait(false);
            DeleteStateDirectory();
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }

            _engineMountNamespaceHold?.Dispose();
            _registryProbe.Dispose();
            _ecrApi.Dispose();
            _engine.Dispose();
            _certificates.Dispose();
        }

        Log($"stopped in {Seconds(clock)}");
    }

    private async Task StopAsync(ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        await process.StopAsync(process.Name == EngineName ? EngineStopGrace : PartStopGrace).ConfigureAwait(false);
        Log($"stopped {process.Name} in {Seconds(clock)}");
    }

    /// <summary>
    /// Whatever the engine spawned and left running: its containerd (known by pid file), anything else in its
    /// mount namespace, and any engine helper naming the state directory (in case the namespace was never seen).
    /// </summary>
    private HashSet<int> FindLeftovers()
    {
        var leftovers = ProcessTable.FindReferencing(StateDirectory, EngineHelpers).ToHashSet();
        if (_engineMountNamespace is { } engineNamespace)
        {
            leftovers.UnionWith(ProcessTable.FindInMountNamespace(engineNamespace));
        }

        if (_containerdPid is { } containerd && ProcessTable.IsAlive(containerd) &&
            (ProcessTable.ReadCommandLine(containerd)?.Any(argument => argument.Contains(StateDirectory, StringComparison.Ordinal)) ?? false))
        {
            leftovers.Add(containerd);
        }

        return leftovers;
    }

    private async Task StopLeftoversAsync()
    {
        IReadOnlyList<int> leftovers = [.. FindLeftovers()];
        if (leftovers.Count == 0)
        {
            return;
        }

        Log($"stopping what the engine left running: {string.Join(", ", leftovers.Select(Describe))}");
        foreach (var pid in leftovers)
        {
            NativeMethods.Signal(pid, NativeMethods.SigTerm);
        }

        leftovers = await ProcessTable.WaitForExitAsync(leftovers, PartStopGrace).ConfigureAwait(false);
        foreach (var pid in leftovers)
        {
            NativeMethods.Signal(pid, NativeMethods.SigKill);
        }

        leftovers = await ProcessTable.WaitForExitAsync(leftovers, PartStopGrace).ConfigureAwait(false);
        if (leftovers.Count > 0)
        {
            Log($"could not stop: {string.Join(", ", leftovers.Select(Describe))}");
        }

        static string Describe(int pid) =>
            string.Create(CultureInfo.InvariantCulture, $"{pid} ({string.Join(' ', ProcessTable.ReadCommandLine(pid) ?? [])})");
    }

    /// <summary>
    /// The engine's mounts live and die with its private namespace; this catches any that reached this namespace
    /// anyway, since the directory cannot be deleted under a mount.
    /// </summary>
    private async Task UnmountLeftoversAsync()
    {
        foreach (var mountPoint in ProcessTable.FindMountsUnder(StateDirectory))
        {
            using var umount = Process.Start(new ProcessStartInfo(_tools.Umount) { ArgumentList = { "--lazy", mountPoint }, UseShellExecute = false });
            if (umount is not null)
            {
                await umount.WaitForExitAsync().ConfigureAwait(false);
                Log($"unmounted {mountPoint} (exit code {umount.ExitCode})");
            }
        }
    }

    private void DeleteStateDirectory()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(StateDirectory))
                {
                    Directory.Delete(StateDirectory, recursive: true);
                }

                return;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A process that was just killed may still be closing files there. (Blocking is fine: this is
                // rare, and the handler for process exit cannot await.)
                if (attempt == 5)
                {
                    Log($"could not delete {StateDirectory}: {exception.Message}");
                    return;
                }

                Thread.Sleep(100 * attempt);
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => TearDownNow();

    /// <summary>Last resort when the process ends without disposing the stack: kill everything at once, delete what can be.</summary>
    private void TearDownNow()
    {
        if (Interlocked.Exchange(ref _emergencyTeardown, 1) != 0)
        {
            return;
        }

        ChildProcess[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            process.Kill();
        }

        var leftovers = FindLeftovers();
        foreach (var pid in leftovers)
        {
            NativeMethods.Signal(pid, NativeMethods.SigKill);
        }

        // Give the kernel a moment to end them so that the directory can go.
        ProcessTable.WaitForExitAsync([.. processes.Select(process => process.Id), .. leftovers], TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        _engineMountNamespaceHold?.Dispose();
        DeleteStateDirectory();
    }
}

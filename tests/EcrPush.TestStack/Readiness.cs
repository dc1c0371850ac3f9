using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Ecr.TestStack;

/// <summary>Polls a freshly started part until it answers, and explains precisely when it does not.</summary>
internal static class Readiness
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="probe"/> until it returns <see langword="null"/> (ready). It returns a description of
    /// what is not right yet, or throws a network error that counts as "not yet".
    /// </summary>
    /// <param name="process">The part's process: when it ends, waiting ends with its log in the message.</param>
    /// <param name="what">What is being waited for, for messages, e.g. "moto_server (the ECR API) at http://…".</param>
    /// <param name="probe">One readiness check.</param>
    /// <param name="fix">What a reader should do when it fails.</param>
    /// <param name="clock">Started when start-up began.</param>
    /// <param name="timeout">How long start-up may take in all.</param>
    /// <param name="cancellationToken">Cancels waiting (the caller gave up, or another part failed).</param>
    public static async Task WaitAsync(
        ChildProcess process,
        string what,
        Func<CancellationToken, Task<string?>> probe,
        string fix,
        Stopwatch clock,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var lastProblem = "it was never checked";
        while (true)
        {
            if (process.HasExited)
            {
                throw Failure(process, $"{what} stopped before it was ready ({process.DescribeExit()})", fix);
            }

            var remaining = timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                throw Failure(
                    process,
                    string.Create(CultureInfo.InvariantCulture, $"{what} was not ready within {timeout.TotalSeconds:0.#} s; last check: {lastProblem}"),
                    fix);
            }

            using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attempt.CancelAfter(remaining < AttemptTimeout ? remaining : AttemptTimeout);
                try
                {
                    var problem = await probe(attempt.Token).ConfigureAwait(false);
                    if (problem is null)
                    {
                        return;
                    }

                    lastProblem = problem;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastProblem = "the check got no answer in time";
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException)
                {
                    lastProblem = Describe(exception);
                }
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An exception whose message says what failed, what to do, and what the part logged.</summary>
    public static InvalidOperationException Failure(ChildProcess process, string problem, string fix) =>
        new(string.Join(
            Environment.NewLine,
            $"LocalEcrStack: {problem}.",
            $"Fix: {fix}",
            $"Command: {process.Command}",
            $"Last lines of {process.LogPath} (deleted with the stack):",
            LogFile.Tail(process.LogPath)));

    /// <summary>An exception's message with those of its inner exceptions, which hold the useful part of network errors.</summary>
    public static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(" → ", messages.Distinct(StringComparer.Ordinal));
    }
}

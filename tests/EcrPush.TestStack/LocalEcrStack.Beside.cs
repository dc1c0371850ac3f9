using System.Diagnostics;

namespace Ecr.TestStack;

public sealed partial class LocalEcrStack
{
    /// <summary>
    /// Starts a stack while <paramref name="preparation"/> (packing, compiling) runs beside it, and times both. When
    /// the preparation fails, the stack that started is stopped before the failure is thrown.
    /// </summary>
    public static async Task<(LocalEcrStack Stack, TimeSpan StackTime, TimeSpan PreparationTime)> StartBesideAsync(Func<Task> preparation)
    {
        ArgumentNullException.ThrowIfNull(preparation);
        var stackStart = TimeAsync(async () => await StartAsync().ConfigureAwait(false));
        var prepared = TimeAsync(async () =>
        {
            await preparation().ConfigureAwait(false);
            return true;
        });
        try
        {
            await Task.WhenAll(stackStart, prepared).ConfigureAwait(false);
        }
        catch
        {
            if (stackStart.IsCompletedSuccessfully)
            {
                await (await stackStart.ConfigureAwait(false)).Value.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var (stack, stackTime) = await stackStart.ConfigureAwait(false);
        var (_, preparationTime) = await prepared.ConfigureAwait(false);
        return (stack, stackTime, preparationTime);
    }

    private static async Task<(T Value, TimeSpan Elapsed)> TimeAsync<T>(Func<Task<T>> start)
    {
        var clock = Stopwatch.StartNew();
        var value = await start().ConfigureAwait(false);
        return (value, clock.Elapsed);
    }
}

namespace Ecr.Tests.Fakes;

/// <summary>A clock whose timers fire at once: every wait is over as soon as it begins, while the code still computes how long it meant to wait.</summary>
internal sealed class InstantTime : TimeProvider
{
    public static InstantTime Instance { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period == Timeout.InfiniteTimeSpan ? period : TimeSpan.FromMilliseconds(1));
}

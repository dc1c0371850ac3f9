namespace Ecr;

/// <summary>
/// The one exception an ECR push throws. Its message says what was tried, what went wrong and how to fix it;
/// it never contains a secret.
/// </summary>
public sealed class EcrPushException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public EcrPushException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public EcrPushException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message; prefer the constructors that say what went wrong.</summary>
    public EcrPushException()
    {
    }

    /// <summary>For settings that failed their check: each problem, in the order the message lists them; empty otherwise.</summary>
    public IReadOnlyList<string> Problems { get; internal init; } = [];

    /// <summary>
    /// For a push that failed after part of it succeeded: what landed where, one entry per destination that holds
    /// something, each with only the references that landed; empty when nothing was pushed.
    /// </summary>
    public IReadOnlyList<EcrPushedImage> Landed { get; internal init; } = [];
}

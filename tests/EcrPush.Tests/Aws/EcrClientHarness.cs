using System.Collections.Concurrent;
using Amazon.Runtime;
using EcrPush.Internal.Aws;
using EcrPush.Tests.Fakes;

namespace EcrPush.Tests.Aws;

/// <summary>An EcrClient over a stub transport, with the waits between attempts recorded instead of slept.</summary>
internal sealed class EcrClientHarness : IDisposable
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string SessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

    public EcrClientHarness(int maxAttempts = 3, TimeSpan? attemptTimeout = null, bool withSessionToken = false)
    {
        Endpoint = new EcrEndpoint(new Uri("https://api.ecr.eu-west-3.amazonaws.com"), "eu-west-3", "the aws partition's endpoint for eu-west-3");
        AWSCredentials credentials = withSessionToken
            ? new SessionAWSCredentials(AccessKey, SecretKey, SessionToken)
            : new BasicAWSCredentials(AccessKey, SecretKey);
        // The client owns the invoker and disposes it.
#pragma warning disable CA2000
        Client = new EcrClient(
            new HttpMessageInvoker(Stub),
            credentials,
            Endpoint,
            "the test keys",
            Log,
            new StandardRetryPolicy(maxAttempts, static () => 0.5),
            (delay, _) =>
            {
                Delays.Enqueue(delay);
                return Task.CompletedTask;
            },
            attemptTimeout);
#pragma warning restore CA2000
    }

    public StubHttpHandler Stub { get; } = new();

    public RecordingLog Log { get; } = new();

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public EcrEndpoint Endpoint { get; }

    public EcrClient Client { get; }

    public void Dispose() => Client.Dispose();
}

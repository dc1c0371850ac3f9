using System.Collections.Concurrent;
using Amazon.Runtime;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Aws;

/// <summary>An EcrClient over a stub transport, with the waits between attempts recorded instead of slept.</summary>
internal sealed class EcrClientHarness : IDisposable
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string SessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

    /// <param name="maxAttempts">The retry policy's attempts.</param>
    /// <param name="attemptTimeout">Each attempt's limit.</param>
    /// <param name="withSessionToken">Temporary credentials instead of keys.</param>
    /// <param name="publicAlias">For ECR Public's client (<see cref="PublicClient"/>, at ECR Public's endpoint): the alias the push asks for.</param>
    public EcrClientHarness(int maxAttempts = 3, TimeSpan? attemptTimeout = null, bool withSessionToken = false, string? publicAlias = null)
    {
        _invoker = new HttpMessageInvoker(Stub);
        Endpoint = new EcrEndpoint(new Uri("https://api.ecr.eu-west-3.amazonaws.com"), "eu-west-3", "the aws partition's endpoint for eu-west-3");
        AWSCredentials credentials = withSessionToken
            ? new SessionAWSCredentials(AccessKey, SecretKey, SessionToken)
            : new BasicAWSCredentials(AccessKey, SecretKey);
        PublicClient = new EcrPublicClient(
            new EcrApiTransport(_invoker, new EcrEndpoint(new Uri("https://api.ecr-public.us-east-1.amazonaws.com"), "us-east-1", "ECR Public's endpoint"), credentials, "the test keys", Log, new StandardRetryPolicy(maxAttempts, static () => 0.5), (_, _) => Task.CompletedTask, attemptTimeout, service: EcrApiService.Public),
            publicAlias,
            Log);
        Client = new EcrClient(new EcrApiTransport(
            _invoker,
            Endpoint,
            credentials,
            "the test keys",
            Log,
            new StandardRetryPolicy(maxAttempts, static () => 0.5),
            (delay, _) =>
            {
                Delays.Enqueue(delay);
                return Task.CompletedTask;
            },
            attemptTimeout));
    }

    public StubHttpHandler Stub { get; } = new();

    // The client borrows the HTTP stack, as in production; the harness owns it.
    private readonly HttpMessageInvoker _invoker;

    public RecordingLog Log { get; } = new();

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public EcrEndpoint Endpoint { get; }

    public EcrClient Client { get; }

    /// <summary>ECR Public's client over the same stub.</summary>
    public EcrPublicClient PublicClient { get; }

    public void Dispose() => _invoker.Dispose();
}

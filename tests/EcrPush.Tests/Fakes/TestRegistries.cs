using Ecr.Internal;
using Ecr.Internal.Registry;

namespace Ecr.Tests.Fakes;

/// <summary>Registry clients over a test's handler: the transport as a push builds it, with a retry policy that does not wait.</summary>
internal static class TestRegistries
{
    /// <summary>The retry policy of a push, on a clock whose waits are over at once.</summary>
    public static RegistryRetryPolicy NoWaits { get; } = new(InstantTime.Instance);

    public static RegistryClient Client(HttpMessageHandler handler, string host, string password = "secret-token", IPushLog? log = null, RegistryRetryPolicy? retries = null, TimeSpan? inactivityTimeout = null, Func<RegistryCredentials, CancellationToken, Task<RegistryCredentials>>? refresh = null)
    {
#pragma warning disable CA2000 // Lives as long as the client; the handler is the test's to dispose.
        var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        var auth = new RegistryAuth(new RegistryCredentials("AWS", password), refresh);
        return new RegistryClient(new RegistryTransport(http, host, auth, inactivityTimeout ?? TimeSpan.FromSeconds(30), retries ?? NoWaits, log ?? new RecordingLog()));
    }
}

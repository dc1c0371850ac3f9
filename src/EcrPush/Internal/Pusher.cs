using System.Diagnostics;
using System.Globalization;
using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Internal.Ci;
using Ecr.Internal.Destinations;
using Ecr.Internal.Docker;
using Ecr.Internal.Registry;
using Ecr.Internal.Sources;

namespace Ecr.Internal;

/// <summary>
/// The push, for every source alike: check the settings; find the source (<see cref="IImageSource"/>) while each
/// destination opens; each destination's step (<see cref="DestinationStep"/>) writes the image; the result, the
/// closing line and the output variable. Both faces (EcrTasks, the Cake aliases) call this and only this.
/// </summary>
internal sealed class Pusher(IEcrConnector connector, Func<PushPlan, IDockerEngine> connectEngine, TokenCache tokens, IEnvironment environment, IPushLog log)
{
    /// <param name="log">Where the push's messages go.</param>
    /// <param name="configureRegistryHandler">See <see cref="ConfigureRegistryHandler"/>.</param>
    /// <param name="configureApiHandler">
    /// Changes the ECR API's HTTP handler: only the integration tests set it, to reach the stand-in under the AWS endpoints'
    /// own names (the dual-stack ones), over TLS with its authority (<see cref="EcrConnector.ConfigureHandler"/>).
    /// </param>
    public static Pusher Create(IPushLog log, Action<SocketsHttpHandler>? configureRegistryHandler = null, Action<SocketsHttpHandler>? configureApiHandler = null) => new(
        new EcrConnector(ProcessEnvironment.Instance, log) { ConfigureHandler = configureApiHandler },
        plan => DockerEngine.Connect(plan.DockerHost, plan.Engine, ProcessEnvironment.Instance, log),
        TokenCache.Shared,
        ProcessEnvironment.Instance,
        log)
    { ConfigureRegistryHandler = configureRegistryHandler };

    /// <summary>
    /// Changes the registry's HTTP handler before use. Only the integration tests set it, to send the registry host's
    /// connections to the stand-in's loopback address and trust its authority; requests keep the real host name.
    /// </summary>
    public Action<SocketsHttpHandler>? ConfigureRegistryHandler { get; init; }

    /// <summary>Replaces the registry's HTTP handler altogether: the unit tests' registry in memory.</summary>
    public Func<HttpMessageHandler>? RegistryHandler { get; init; }

    /// <summary>When a registry operation is tried again; the unit tests' runs on a clock of their own.</summary>
    public RegistryRetryPolicy RetryPolicy { get; init; } = RegistryRetryPolicy.Default;

    public async Task<EcrPushResult> PushAsync(EcrPushSettings settings, CancellationToken cancellationToken)
    {
        var plan = SettingsValidator.Validate(settings);
        var ci = CiService.Detect(environment);
        MaskSettingsSecrets(plan.Aws, ci);
        // The registry's HTTP stack is made when a registry is first spoken to: an engine pushing one destination needs none.
        var http = new Lazy<HttpClient>(() => CreateRegistryHttpClient(plan));
        using var disposeHttp = new HttpClientDisposal(http);
        var registries = new RegistryAccess(http, tokens, ci, DockerEngine.ReadInactivityTimeout(environment), RetryPolicy, log);
        var source = OpenSource(plan, registries);
        await using (source.ConfigureAwait(false))
        {
            log.Information($"Pushing {source.Name} to the ECR repository {plan.RepositoryName} as {string.Join(", ", plan.Tags)}{(plan.Destinations.Count > 1 ? $" in {plan.Destinations.Count} destinations" : string.Empty)}");
            var stopwatch = Stopwatch.StartNew();

            // The source and each destination start on threads of their own: a first call spends most of its time
            // loading and compiling code (the Docker client on one side; credentials, signing, HTTP and TLS on the
            // other), and run inline each side would compile its part before the other could start.
            var found = Task.Run(() => FindAsync(source, cancellationToken), cancellationToken);
            var step = new DestinationStep(connector, registries, new RepositoryStep(log), log) { Time = environment.Time };
#pragma warning disable CA2025 // Every destination is awaited (AwaitDestinationsAsync) before the registry client goes.
            var pushes = plan.Destinations.Select((_, index) => Task.Run(() => step.RunAsync(plan, index, source, found, cancellationToken), cancellationToken)).ToList();
#pragma warning restore CA2025
            try
            {
                await AwaitDestinationsAsync(plan, pushes, found).ConfigureAwait(false);
            }
            finally
            {
                // The source's read (an archive unpacking into its scratch folder) must be over before the source goes.
                await ((Task)found).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }

            return Finish(plan, pushes, ci, stopwatch);
        }
    }

    private IImageSource OpenSource(PushPlan plan, RegistryAccess registries) => plan.Source switch
    {
        ImageFileSpec file => new ImageFileSource(file, log),
        EcrImageSpec image => new EcrSource(image, plan.Aws, plan.Destinations[0].RegistryId, connector, registries, log),
        EngineImageSpec image => new EngineSource(connectEngine(plan), image, SourceSpec.DefaultUploadParallelism, log),
        _ => throw new InvalidOperationException($"No source reads {plan.Source.GetType().Name}."),
    };

    /// <summary>A source that is not there, or damaged, ends the push before any destination wrote a thing: the error says so, once for every source.</summary>
    private static async Task<FoundImage> FindAsync(IImageSource source, CancellationToken cancellationToken)
    {
        try
        {
            return await source.FindAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EcrPushException exception)
        {
            throw new EcrPushException($"{exception.Message} Nothing was pushed.", exception);
        }
    }

    /// <summary>The result of every destination, the closing log line with each destination's digest, and the output variable.</summary>
    private EcrPushResult Finish(PushPlan plan, IEnumerable<Task<EcrPushedImage>> pushes, CiService ci, Stopwatch stopwatch)
    {
        var result = new EcrPushResult([.. pushes.Select(p => p.Result)]);
        var pushed = string.Join("; ", result.Destinations.Select(destination => $"{string.Join(", ", destination.ImageReferences)} ({destination.Digest})"));
        log.Information(string.Create(CultureInfo.InvariantCulture, $"Pushed {pushed} in {stopwatch.Elapsed.TotalSeconds:0.00} s"));
        if (plan.OutputVariable is { } variable)
        {
            ci.SetVariable(variable, result.ImageReference, log);
        }

        return result;
    }

    /// <summary>
    /// The registry's HTTP client, behind the same proxy rules as the AWS calls. The integration tests' <see cref="ConfigureRegistryHandler"/>
    /// sends the registry host's connections to the stand-in; the unit tests' <see cref="RegistryHandler"/> answers in memory.
    /// </summary>
    private HttpClient CreateRegistryHttpClient(PushPlan plan)
    {
        if (RegistryHandler is { } fake)
        {
            return new HttpClient(fake(), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        }

#pragma warning disable CA2000 // The HttpClient owns the handler.
        var handler = EcrHttpClientFactory.CreateHandler(plan.Aws.Proxy, environment);
#pragma warning restore CA2000
        ConfigureRegistryHandler?.Invoke(handler);
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Disposes the registry's HTTP client if the push made one.</summary>
    private sealed class HttpClientDisposal(Lazy<HttpClient> http) : IDisposable
    {
        public void Dispose()
        {
            if (http.IsValueCreated)
            {
                http.Value.Dispose();
            }
        }
    }

    private void MaskSettingsSecrets(AwsOptions aws, CiService ci)
    {
        foreach (var secret in SecretSettings.ValuesOf(aws))
        {
            ci.MaskSecret(secret, log);
        }
    }

    /// <summary>
    /// Waits for every destination. One destination: its own error, exactly as it was thrown; a source that was not
    /// found: its error, once. Cancelled, with some destinations done before it came: the cancellation, as the caller
    /// asked for it. Several, some failed: one report of them all.
    /// </summary>
    private static async Task AwaitDestinationsAsync(PushPlan plan, List<Task<EcrPushedImage>> pushes, Task<FoundImage> found)
    {
        try
        {
            await Task.WhenAll(pushes).ConfigureAwait(false);
        }
        catch when (pushes.Count == 1 || pushes.All(p => p.IsCanceled || p.IsCompletedSuccessfully))
        {
            throw;
        }
        catch when (found.IsFaulted)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(found.Exception!.InnerException!);
            throw;
        }
        catch
        {
            throw PartialFailure.Of(pushes, i => plan.Destinations[i].ToString(), image => [image], failed => $"The push failed for {failed} of {pushes.Count} destinations:");
        }
    }
}

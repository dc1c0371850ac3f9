// The Demo: the main job end to end on a local stand-in for ECR, with no AWS account.
// Run it with `./build.sh --target=Demo`, which first builds into artifacts/build-scripts what the #r lines below
// load: Cake resolves them when it compiles this script, before any task could build them.
//
// 1. starts the stand-in that the tests use (EcrPush.TestStack: a private dockerd, a TLS registry behind the real
//    ECR host name, moto as the ECR API); 2. builds a small image in that engine; 3. pushes it with the Cake alias;
//    4. deletes it from the engine and pulls it back from the registry by digest, and compares the image IDs;
//    5. stops everything it started, also when a step fails.
#r "../artifacts/build-scripts/EcrPush.TestStack.dll"
#r "../artifacts/build-scripts/Cake.EcrPush.dll"
#r "../artifacts/build-scripts/Docker.DotNet.dll"

using Docker.DotNet;
using Docker.DotNet.Models;
using Ecr.TestStack;

const string Region = "us-east-1";
const string SourceName = "demo-web";
const string SourceTag = "1.0.0";
const string Repository = "demo/web";

Task("Demo").Does(async () =>
{
    Information("1/5 Starting the local stand-in for ECR (dockerd, a TLS registry per region, moto as the ECR API)...");
    LocalEcrStack stack;
    try
    {
        stack = await LocalEcrStack.StartAsync(new LocalEcrStackOptions
        {
            Regions = new[] { Region },
            Log = Context.Log.Verbosity >= Verbosity.Verbose ? Console.Out : null,
        });
    }
    catch (Exception exception) when (exception is InvalidOperationException or PlatformNotSupportedException)
    {
        // The stack's message names every missing part and how to install it.
        throw new CakeException("The Demo cannot start its local stand-in for ECR on this machine." + Environment.NewLine + exception.Message);
    }

    try
    {
        await RunDemoAsync(stack);
    }
    finally
    {
        Information("5/5 Stopping the stand-in...");
        await stack.DisposeAsync();
        Information("    stopped; its engine, registry data and logs are deleted.");
    }
});

RunTarget("Demo");

async Task RunDemoAsync(LocalEcrStack stack)
{
    Information("    ECR API (moto) {0}, registry https://{1}, Docker engine {2}", stack.EcrEndpoint, stack.RegistryHost(Region), stack.DockerHost);

    // The build reaches the stand-in the way it reaches AWS: through the standard variables (endpoint, test keys,
    // region) and DOCKER_HOST. Set for this process only; a profile or proxy of the caller must not interfere.
    foreach (var (name, value) in stack.AwsEnvironment)
    {
        Environment.SetEnvironmentVariable(name, value);
    }

    Environment.SetEnvironmentVariable("DOCKER_HOST", stack.DockerHost);
    foreach (var name in new[] { "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy" })
    {
        Environment.SetEnvironmentVariable(name, null);
    }

    Information("2/5 Building the sample image {0}:{1} in that engine...", SourceName, SourceTag);
    var imageId = await stack.BuildImageAsync($"{SourceName}:{SourceTag}", layers: 3);
    Information("    image ID {0}", imageId);

    Information("3/5 Pushing it with the Cake alias EcrPushAsync...");
    var pushed = await EcrPushAsync(s => s
        .SetSourceImageName(SourceName).SetSourceImageTag(SourceTag)
        .SetRepositoryName(Repository)
        .SetTargetTags(SourceTag, "latest")
        .EnableAutoCreateRepository());
    Information("    pushed reference: {0}", pushed.ImageReference);
    Information("    all references:   {0}", string.Join(", ", pushed.AllImageReferences));
    Information("    digest:           {0}", pushed.Digest);

    Information("4/5 Pulling it back through the engine...");
    using var engine = new DockerClientBuilder().WithEndpoint(new Uri(stack.DockerHost)).Build();

    // The only tag left is the source's (the push removes the tags it made), so this deletes the image itself:
    // what comes back below can only have come from the registry.
    await engine.Images.DeleteImageAsync($"{SourceName}:{SourceTag}", new ImageDeleteParameters { Force = true });
    if (await ImageExistsAsync(engine, imageId))
    {
        throw new CakeException($"The engine still has {imageId} after deleting {SourceName}:{SourceTag}.");
    }

    Information("    deleted {0}:{1}; the engine no longer has {2}", SourceName, SourceTag, imageId);

    // The stand-in's registry password (a fixed test value); it is used, never shown.
    var registry = new AuthConfig { ServerAddress = stack.RegistryHost(Region), Username = "AWS", Password = LocalEcrStack.RegistryPassword };
    string pullError = null;
    await engine.Images.CreateImageAsync(
        new ImagesCreateParameters { FromImage = pushed.DigestReference },
        registry,
        new ReportTo(message => pullError ??= message.Error?.Message));
    if (pullError is not null)
    {
        throw new CakeException($"Pulling {pushed.DigestReference} failed: {pullError}");
    }

    var pulled = await engine.Images.InspectImageAsync(pushed.DigestReference);
    if (pulled.ID != imageId)
    {
        throw new CakeException($"Pulled {pushed.DigestReference} as {pulled.ID}, but the pushed image was {imageId}.");
    }

    Information("    pulled {0}", pushed.DigestReference);
    Information("    image ID {0}: the same image as built in step 2", pulled.ID);
}

static async Task<bool> ImageExistsAsync(DockerClient engine, string imageId)
{
    try
    {
        await engine.Images.InspectImageAsync(imageId);
        return true;
    }
    catch (DockerImageNotFoundException)
    {
        return false;
    }
}

// Docker.DotNet reports a pull's progress messages through IProgress; Progress<T> would post them to a thread pool.
sealed class ReportTo : IProgress<JSONMessage>
{
    private readonly Action<JSONMessage> _report;

    public ReportTo(Action<JSONMessage> report) => _report = report;

    public void Report(JSONMessage value) => _report(value);
}

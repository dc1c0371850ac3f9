using Docker.DotNet;
using Docker.DotNet.Models;
using Ecr;
using Ecr.TestStack;
using Nuke.Common;
using Nuke.Common.IO;
using Nuke.Common.Tooling;
using Nuke.Common.Tools.DotNet;
using Serilog;
using Serilog.Events;
using static Nuke.Common.Tools.DotNet.DotNetTasks;

/// <summary>
/// The Demo: the main job end to end on a local stand-in for ECR, with no AWS account. 1. starts the stand-in the tests
/// use (a private dockerd, a TLS registry behind the real ECR host name, moto as the ECR API); 2. builds a small image
/// in that engine; 3. writes an SBOM of this repository's library with the CycloneDX .NET tool, pushes the image with
/// EcrPushAsync's push, in this process, with the SBOM attached, and prints the image's referrers as the registry lists them;
/// 4. deletes it from the engine, pulls it back from the registry by digest and compares the image IDs; 5. stops
/// everything it started, also when a step fails.
/// </summary>
partial class Build
{
    const string DemoRegion = "us-east-1";
    const string DemoSourceName = "demo-web";
    const string DemoSourceTag = "1.0.0";
    const string DemoRepository = "demo/web";

    // The stand-in's environment is set for this process only; a profile or proxy of the caller must not interfere.
    static readonly string[] ForeignVariables =
    [
        "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN",
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    ];

    Target Demo => _ => _
        .Description("The main job end to end on a local stand-in for ECR (dockerd, registry, moto): build an image, push it, pull it back (Linux, root); --public pushes to the stand-in's ECR Public")
        .DependsOn(Prerequisites)
        .Executes(async () =>
        {
            Log.Information("1/5 Starting the local stand-in for ECR (dockerd, a TLS registry per region, moto as the ECR API)...");
            LocalEcrStack stack;
            try
            {
                stack = await LocalEcrStack.StartAsync(new LocalEcrStackOptions
                {
                    Regions = [DemoRegion],
                    Log = Log.IsEnabled(LogEventLevel.Verbose) ? Console.Out : null,
                });
            }
            catch (Exception exception) when (exception is InvalidOperationException or PlatformNotSupportedException)
            {
                // The stack's message names every missing part and how to install it.
                throw new InvalidOperationException("The Demo cannot start its local stand-in for ECR on this machine." + Environment.NewLine + exception.Message, exception);
            }

            try
            {
                Pushed = await RunDemoAsync(stack);
            }
            finally
            {
                Log.Information("5/5 Stopping the stand-in...");
                await stack.DisposeAsync();
                Log.Information("    stopped; its engine, registry data and logs are deleted.");
            }
        });

    async Task<EcrPushResult> RunDemoAsync(LocalEcrStack stack)
    {
        Log.Information("    ECR API (moto) {Endpoint}, registry https://{Registry}, Docker engine {Engine}", stack.EcrEndpoint, stack.RegistryHost(DemoRegion), stack.DockerHost);

        // The push reaches the stand-in the way it reaches AWS: through the standard variables (endpoint, test keys,
        // region) and DOCKER_HOST.
        foreach (var (name, value) in stack.AwsEnvironment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Environment.SetEnvironmentVariable("DOCKER_HOST", stack.DockerHost);
        foreach (var name in ForeignVariables)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Log.Information("2/5 Building the sample image {Name}:{Tag} in that engine...", DemoSourceName, DemoSourceTag);
        var imageId = await stack.BuildImageAsync($"{DemoSourceName}:{DemoSourceTag}", layers: 3);
        Log.Information("    image ID {ImageId}", imageId);

        // EcrPushAsync's own push, its registry connections routed to the stand-in: the engine pushes the image, and this
        // process the SBOM, to a registry whose ECR name only the stand-in's engine can resolve. The public demo pushes the
        // image alone (referrers are shown on the private registry).
        Log.Information(Public
            ? "3/5 Pushing it to the stand-in's ECR Public registry, in this build's process..."
            : "3/5 Writing an SBOM of EcrPush with the CycloneDX .NET tool, and pushing the image with it attached, in this build's process...");
        var settings = new EcrPushSettings()
            .SetSourceImageName(DemoSourceName).SetSourceImageTag(DemoSourceTag)
            .SetRepositoryName(DemoRepository)
            .SetTargetTags(DemoSourceTag, "latest")
            .EnableAutoCreateRepository();
        settings = Public
            ? settings.EnablePublicRegistry().SetCatalogDescription("EcrPush's demo image").SetCatalogOperatingSystems("Linux")
            : settings.AddAttachments(new EcrAttachment(WriteDemoSbom(), EcrAttachment.CycloneDxJson));
        var pushed = await stack.PushAsync(settings);
        Log.Information("    pushed reference: {Reference}", pushed.ImageReference);
        Log.Information("    all references:   {References}", string.Join(", ", pushed.AllImageReferences));
        Log.Information("    digest:           {Digest}", pushed.Digest);
        if (!Public)
        {
            var (referrers, listedBy) = await stack.ReferrersAsync(DemoRegion, DemoRepository, pushed.Digest);
            Log.Information("    referrers of {Digest}, as the registry lists them ({ListedBy}):", pushed.Digest, listedBy);
            foreach (var (digest, artifactType) in referrers)
            {
                Log.Information("    referrer: {Digest} {ArtifactType}", digest, artifactType);
            }

            Assert.True(
                referrers.SequenceEqual(pushed.FirstDestination.Referrers.Select(referrer => (referrer.Digest, referrer.ArtifactType))),
                $"The registry lists {string.Join(", ", referrers)} for {pushed.Digest}, but the push reported {string.Join(", ", pushed.FirstDestination.Referrers)}.");
        }

        Log.Information("4/5 Pulling it back through the engine...");
        using var engine = new DockerClientBuilder().WithEndpoint(new Uri(stack.DockerHost)).Build();

        // The only tag left is the source's (the push removes the tags it made), so this deletes the image itself:
        // what comes back below can only have come from the registry.
        await engine.Images.DeleteImageAsync($"{DemoSourceName}:{DemoSourceTag}", new ImageDeleteParameters { Force = true });
        Assert.False(await ImageExistsAsync(engine, imageId), $"The engine still has {imageId} after deleting {DemoSourceName}:{DemoSourceTag}.");
        Log.Information("    deleted {Name}:{Tag}; the engine no longer has {ImageId}", DemoSourceName, DemoSourceTag, imageId);

        // The stand-in's registry password (a fixed test value); it is used, never shown.
        var registry = new AuthConfig { ServerAddress = stack.RegistryHost(Public ? LocalEcrStack.PublicSite : DemoRegion), Username = "AWS", Password = LocalEcrStack.RegistryPassword };
        string? pullError = null;
        await engine.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = pushed.DigestReference },
            registry,
            new ReportTo(message => pullError ??= message.Error?.Message));
        Assert.True(pullError is null, $"Pulling {pushed.DigestReference} failed: {pullError}");

        var pulled = await engine.Images.InspectImageAsync(pushed.DigestReference);
        Assert.True(pulled.ID == imageId, $"Pulled {pushed.DigestReference} as {pulled.ID}, but the pushed image was {imageId}.");
        Log.Information("    pulled {DigestReference}", pushed.DigestReference);
        Log.Information("    image ID {ImageId}: the same image as built in step 2", pulled.ID);
        return pushed;
    }

    // The tool is in .config/dotnet-tools.json; it reads the packages the build restored (-dpr: no restore, no network)
    // and writes the SBOM of src/EcrPush, the library this repository ships, into a folder of the Demo's own. The
    // repository is the build project's parent: the Nuke root may be elsewhere (--root, as the build target tests run it).
    static string WriteDemoSbom()
    {
        var repository = BuildProjectDirectory.Parent;
        var folder = TemporaryDirectory / "demo-sbom";
        folder.CreateOrCleanDirectory();
        DotNetToolRestore(s => s.SetProcessWorkingDirectory(repository));
        DotNet($"dotnet-CycloneDX {repository / "src" / "EcrPush" / "EcrPush.csproj"} --disable-package-restore --output-format Json --set-name EcrPush --output {folder} --filename sbom.cdx.json", repository);
        var sbom = folder / "sbom.cdx.json";
        Log.Information("    SBOM {Path} ({Bytes} bytes)", sbom, new FileInfo(sbom).Length);
        return sbom;
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
    sealed class ReportTo(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}

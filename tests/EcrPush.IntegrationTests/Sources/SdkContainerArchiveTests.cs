using System.Diagnostics;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// The .NET SDK's own container archive (<c>dotnet publish -t:PublishContainer</c> with <c>ContainerArchiveOutputPath</c>),
/// built on a base image that the SDK pulls from the stand-in's registry, pushed without an engine, and pulled back.
/// The SDK runs inside the stack engine's mount namespace (where the ECR host name resolves to the stand-in) with a
/// certificate bundle that adds the stack's authority, and the registry's credentials in its own variables.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class SdkContainerArchiveTests(StackFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string Region = "us-east-1";
    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    public void Dispose()
    {
        _folders.Dispose();
    }

    /// <summary>
    /// The SDK writes the archive in its base image's format: an OCI base (pushed here from a layout) gives an OCI layout
    /// archive; a Docker v2 base (pushed through the engine) gives a docker-archive.
    /// </summary>
    [Theory]
    [InlineData("oci")]
    [InlineData("docker")]
    public async Task An_archive_from_the_SDK_container_publish_pushes_and_pulls_back_with_the_same_image_id(string baseKind)
    {
        var folder = _folders.New("sdk");
        var baseRepository = StackChecks.NewRepository("sdkbase");
        if (baseKind == "oci")
        {
            var baseLayout = Path.Combine(folder, "base");
            await TestLayout.WriteAsync(baseLayout, "1", 64 * 1024);
            await SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), new EcrPushSettings().SetSourceOciLayout(baseLayout).SetRepositoryName(baseRepository).SetTargetTags("1").EnableAutoCreateRepository());
        }
        else
        {
            await Stack.BuildImageAsync("it-sdkbase:1");
            await EcrTasks.EcrPushAsync(new EcrPushSettings().SetSourceImageName("it-sdkbase").SetSourceImageTag("1").SetRepositoryName(baseRepository).SetTargetTags("1").EnableAutoCreateRepository());
        }

        var app = Directory.CreateDirectory(Path.Combine(folder, "app")).FullName;
        var archive = Path.Combine(folder, "app.tar.gz");
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
                <ContainerBaseImage>{Stack.RegistryHost(Region)}/{baseRepository}:1</ContainerBaseImage>
                <ContainerRepository>sdk-app</ContainerRepository>
                <ContainerImageTag>1</ContainerImageTag>
                <ContainerArchiveOutputPath>{archive}</ContainerArchiveOutputPath>
              </PropertyGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(\"hello\");\n");
        var bundle = Path.Combine(folder, "ca-bundle.crt");
        await File.WriteAllTextAsync(bundle, await File.ReadAllTextAsync("/etc/ssl/certs/ca-certificates.crt") + await File.ReadAllTextAsync(Path.Combine(Stack.StateDirectory, "tls", "ca.crt")));

        // The SDK reads a pull registry's credentials from a Docker config only: one of its own, in the test's folder, with
        // the stand-in's fixed password (never a real one), deleted with the folder.
        var dockerConfig = Directory.CreateDirectory(Path.Combine(folder, "docker")).FullName;
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"AWS:{LocalEcrStack.RegistryPassword}"));
        var config = new System.Text.Json.Nodes.JsonObject { ["auths"] = new System.Text.Json.Nodes.JsonObject { [Stack.RegistryHost(Region)] = new System.Text.Json.Nodes.JsonObject { ["auth"] = auth } } };
        await File.WriteAllTextAsync(Path.Combine(dockerConfig, "config.json"), config.ToJsonString());
        var clock = Stopwatch.StartNew();
        await RunAsync(
            "nsenter",
            [$"--mount=/proc/{SourceTools.EnginePid(Stack)}/ns/mnt", "--", "dotnet", "publish", app, "-t:PublishContainer", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:m"],
            new Dictionary<string, string>
            {
                ["SSL_CERT_FILE"] = bundle,
                ["DOCKER_CONFIG"] = dockerConfig,
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            });
        output.WriteLine($"dotnet publish -t:PublishContainer in {clock.Elapsed.TotalSeconds:0.0} s: {new FileInfo(archive).Length} bytes");

        var imageId = await ArchiveImageIdAsync(archive);
        var repository = StackChecks.NewRepository("sdkapp");

        Assert.Equal(baseKind == "oci", (await ArchiveEntriesAsync(archive)).ContainsKey("index.json"));
        var result = await SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), new EcrPushSettings().SetSourceImageArchive(archive).SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository());

        Assert.Equal(["1"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    /// <summary>
    /// The image ID of the archive's one image: its config's digest, read from the archive as written (an OCI layout's
    /// manifest names it; a docker-archive's manifest.json names its file).
    /// </summary>
    private async Task<string> ArchiveImageIdAsync(string archive)
    {
        var files = await ArchiveEntriesAsync(archive);
        output.WriteLine($"the SDK's archive holds: {string.Join(", ", files.Keys)}");
        if (files.TryGetValue("index.json", out var index))
        {
            var manifestDigest = (string)System.Text.Json.Nodes.JsonNode.Parse(index)!["manifests"]![0]!["digest"]!;
            var manifest = System.Text.Json.Nodes.JsonNode.Parse(files[$"blobs/sha256/{manifestDigest[7..]}"])!;
            return (string)manifest["config"]!["digest"]!;
        }

        var config = (string)System.Text.Json.Nodes.JsonNode.Parse(files["manifest.json"])![0]!["Config"]!;
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(files[config]));
    }

    private static async Task<Dictionary<string, byte[]>> ArchiveEntriesAsync(string archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        // The SDK writes a plain tar whatever the name ends with (seen here: app.tar.gz, not gzip-compressed).
        var bytesOfArchive = await File.ReadAllBytesAsync(archive);
        Stream content = bytesOfArchive is [0x1f, 0x8b, ..]
            ? new System.IO.Compression.GZipStream(new MemoryStream(bytesOfArchive), System.IO.Compression.CompressionMode.Decompress)
            : new MemoryStream(bytesOfArchive);
        await using (content)
        await using (var tar = new System.Formats.Tar.TarReader(content))
        {
            while (await tar.GetNextEntryAsync(copyData: true) is { } entry)
            {
                using var bytes = new MemoryStream();
                if (entry.DataStream is { } data)
                {
                    await data.CopyToAsync(bytes);
                }

                files[entry.Name.TrimStart('.', '/')] = bytes.ToArray();
            }
        }

        return files;
    }

    private static async Task<string> RunAsync(string tool, IReadOnlyList<string> arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {await text} {await error}");
        return await text;
    }
}

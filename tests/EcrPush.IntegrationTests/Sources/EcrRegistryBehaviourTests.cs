using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ecr.IntegrationTests.Reliability;
using Ecr.TestStack;
using Xunit.Abstractions;

namespace Ecr.IntegrationTests.Sources;

/// <summary>
/// The engine-free push against what ECR's registry does and docker-registry does not, each answered by
/// <see cref="EcrRegistryFront"/> in front of the stand-in's real registry: big blobs in parts (201 to a PATCH, a
/// <c>Range</c> that stops advancing, parts under 5 MiB refused), a reset for a missing repository, a manifest without
/// <c>mediaType</c> refused, a manifest answer without <c>Location</c> or digest; and what applies unchanged: tags checked
/// before anything moves, immutable tags, cancellation of several destinations.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class EcrRegistryBehaviourTests(StackFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string Region = "us-east-1";
    private const string OtherRegion = "eu-west-1";
    private const long MiB = 1024 * 1024;

    // Over the 64 MiB threshold: four 16 MiB parts and a last one of about 2 MiB, under ECR's 5 MiB minimum as only the last may be.
    private const long BigLayer = 66 * MiB;

    private readonly ScratchFolders _folders = new();

    private LocalEcrStack Stack => fixture.Stack;

    private string Host => Stack.RegistryHost(Region);

    public void Dispose()
    {
        _folders.Dispose();
    }

    [Fact]
    public async Task A_blob_over_64_MiB_goes_up_in_16_MiB_parts_to_a_registry_that_answers_201_with_a_stuck_Range_and_pulls_back_the_same()
    {
        var layout = Path.Combine(Folder("parts"), "oci");
        var imageId = await TestLayout.WriteAsync(layout, "1", BigLayer);
        var size = TestLayout.LayerSize(layout);
        await using var front = new EcrRegistryFront(Stack, Region) { PatchAnsweredCreatedWithStuckRange = true };
        var repository = StackChecks.NewRepository("parts");
        var clock = Stopwatch.StartNew();

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout($"{layout}:1").SetRepositoryName(repository).EnableAutoCreateRepository());

        output.WriteLine($"{size} bytes in {front.Requests.Count(r => r.IsPart)} parts, pushed in {clock.Elapsed.TotalSeconds:0.00} s");
        var parts = front.Requests.Where(r => r.IsPart).ToList();
        Assert.Equal([16 * MiB, 16 * MiB, 16 * MiB, 16 * MiB, size - (64 * MiB)], parts.Select(p => p.ContentLength));
        Assert.All(parts, part => Assert.Equal(201, part.Status));
        Assert.Equal(["latest"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task Every_part_but_the_last_is_at_least_5_MiB_so_a_registry_that_refuses_smaller_ones_takes_the_blob()
    {
        var layout = Path.Combine(Folder("partsize"), "oci");
        await TestLayout.WriteAsync(layout, "1", BigLayer);
        await using var front = new EcrRegistryFront(Stack, Region) { RefusesSmallParts = true };
        var repository = StackChecks.NewRepository("partsize");

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout($"{layout}:1").SetRepositoryName(repository).EnableAutoCreateRepository());

        var parts = front.Requests.Where(r => r.IsPart).ToList();
        Assert.Equal(5, parts.Count);
        Assert.All(parts, part => Assert.Equal(202, part.Status));
        Assert.InRange(parts[^1].ContentLength!.Value, 1, (5 * MiB) - 1);
        Assert.DoesNotContain(front.Requests, r => r.Method != "HEAD" && r.Status >= 400);
        Assert.Equal(result.Digest, Digest(await ManifestAsync(repository, "latest")));
    }

    [Fact]
    public async Task A_big_layer_whose_bytes_do_not_match_its_digest_is_named_and_its_parted_upload_never_completes()
    {
        var layout = Path.Combine(Folder("partscorrupt"), "oci");
        await TestLayout.WriteAsync(layout, "1", BigLayer);
        var layer = new DirectoryInfo(Path.Combine(layout, "blobs", "sha256")).EnumerateFiles().MaxBy(f => f.Length)!;
        await using (var file = new FileStream(layer.FullName, FileMode.Open))
        {
            file.Position = 40 * MiB;
            var b = file.ReadByte();
            file.Position = 40 * MiB;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        await using var front = new EcrRegistryFront(Stack, Region);
        var repository = StackChecks.NewRepository("partscorrupt");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository()));

        Assert.Contains($"The blob file {layer.FullName} does not match its digest sha256:{layer.Name}", exception.Message, StringComparison.Ordinal);
        // Four whole parts were answered; the fifth fails before its last bytes go, and is aborted: whether the front
        // read that request's head before the reset depends on scheduling (a reset drops what it had not read yet).
        Assert.InRange(front.Requests.Count(r => r.IsPart), 4, 5);
        Assert.DoesNotContain(front.Requests, r => r.Method == "PUT" && r.Target.Contains($"digest=sha256%3A{layer.Name}", StringComparison.Ordinal));
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        using var registry = Stack.CreateRegistryClient(Region);
        using var ask = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/sha256:{layer.Name}");
        using var head = await registry.SendAsync(ask);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task A_registry_that_takes_a_part_and_never_answers_is_stopped_by_the_inactivity_limit_with_no_tag()
    {
        var layout = Path.Combine(Folder("partshang"), "oci");
        await TestLayout.WriteAsync(layout, "1", BigLayer);
        await using var front = new EcrRegistryFront(Stack, Region) { HoldsPart = 3 };
        var repository = StackChecks.NewRepository("partshang");
        using var limit = new EnvironmentScope(("ECRPUSH_PUSH_INACTIVITY_TIMEOUT", "2"));
        var clock = Stopwatch.StartNew();

        // The bound only keeps a regression from hanging the suite.
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository()).WaitAsync(TimeSpan.FromSeconds(60)));

        output.WriteLine($"stopped in {clock.Elapsed.TotalSeconds:0.00} s: {exception.Message}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.Contains($"The registry {Host} was asked to upload part 3 (bytes {32 * MiB}-{(48 * MiB) - 1} of", exception.Message, StringComparison.Ordinal);
        Assert.Contains("went 2 s without answering or taking a byte", exception.Message, StringComparison.Ordinal);
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.DoesNotContain(front.Requests, r => r.IsManifestPut);
    }

    [Fact]
    public async Task A_blob_this_process_pushed_to_another_repository_of_the_registry_is_mounted_from_there_and_not_uploaded()
    {
        var layout = Path.Combine(Folder("mount"), "oci");
        var imageId = await TestLayout.WriteAsync(layout, "1", 256 * 1024);
        var source = StackChecks.NewRepository("mountsrc");
        var repository = StackChecks.NewRepository("mount");
        await PushAsync(new EcrPushSettings().SetSourceOciLayout(layout).SetRepositoryName(source).EnableAutoCreateRepository());
        await using var front = new EcrRegistryFront(Stack, Region);
        var log = fixture.Mark();

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository());

        var mounts = front.Requests.Where(r => r.IsMount).ToList();
        Assert.Equal(2, mounts.Count);
        Assert.All(mounts, mount => Assert.Equal(201, mount.Status));
        Assert.All(mounts, mount => Assert.EndsWith($"&from={Uri.EscapeDataString(source)}", mount.Target, StringComparison.Ordinal));
        Assert.DoesNotContain(front.Requests, r => r.IsBlobUpload);
        Assert.Contains($"Uploaded 0 of 2 blobs (0 bytes; the others were in {Host}/{repository}, or mounted from another of its repositories: 2)", log.Text, StringComparison.Ordinal);
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task A_mount_answered_202_as_ECR_does_without_BLOB_MOUNTING_uploads_through_the_session_it_opened()
    {
        var layout = Path.Combine(Folder("nomount"), "oci");
        var imageId = await TestLayout.WriteAsync(layout, "1", 256 * 1024);
        var source = StackChecks.NewRepository("nomountsrc");
        var repository = StackChecks.NewRepository("nomount");
        await PushAsync(new EcrPushSettings().SetSourceOciLayout(layout).SetRepositoryName(source).EnableAutoCreateRepository());
        await using var front = new EcrRegistryFront(Stack, Region) { AnswersMountsWithSession = true };

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).EnableAutoCreateRepository());

        Assert.Equal([202, 202], front.Requests.Where(r => r.IsMount).Select(r => r.Status));
        Assert.DoesNotContain(front.Requests, r => r.Method == "POST" && !r.IsMount);
        Assert.Equal([201, 201], front.Requests.Where(r => r.IsBlobUpload).Select(r => r.Status));
        Assert.Equal(imageId, await StackChecks.PullBackAsync(Stack, Region, result.DigestReference));
    }

    [Fact]
    public async Task A_push_into_a_missing_repository_is_refused_through_the_ECR_API_before_the_registry_that_would_reset_it_is_touched()
    {
        var layout = Path.Combine(Folder("norepo"), "oci");
        await TestLayout.WriteAsync(layout, "1", 64 * 1024);
        await using var front = new EcrRegistryFront(Stack, Region) { IsMissingRepository = static _ => true };
        var repository = StackChecks.NewRepository("norepo");
        var clock = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository)));

        output.WriteLine($"refused in {clock.Elapsed.TotalSeconds:0.00} s: {exception.Message}");
        Assert.Equal($"The ECR repository {repository} does not exist in the account's registry in {Region} (and no repository creation template with CREATE_ON_PUSH covers the name). Create it, or let the push create it with AutoCreateRepository (EnableAutoCreateRepository()).", exception.Message);
        Assert.Empty(front.Requests);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_layout_manifest_without_a_top_level_mediaType_goes_up_with_one_where_ECR_would_refuse_it_405()
    {
        var layout = Path.Combine(Folder("mediatype"), "oci");
        var imageId = await TestLayout.WriteAsync(layout, "1", 64 * 1024);
        await using var front = new EcrRegistryFront(Stack, Region) { RefusesManifestsWithoutMediaType = true };
        var repository = StackChecks.NewRepository("mediatype");

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository());

        Assert.Equal(201, Assert.Single(front.Requests, r => r.IsManifestPut).Status);
        var pushed = await ManifestAsync(repository, "1");
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", (string?)JsonNode.Parse(pushed)!["mediaType"]);
        Assert.Equal(result.Digest, Digest(pushed));
        Assert.Equal(imageId, (string?)JsonNode.Parse(pushed)!["config"]!["digest"]);
    }

    [Fact]
    public async Task A_manifest_answer_without_Location_or_Docker_Content_Digest_still_gives_the_pushed_digest()
    {
        var layout = Path.Combine(Folder("nodigest"), "oci");
        await TestLayout.WriteAsync(layout, "1", 64 * 1024);
        await using var front = new EcrRegistryFront(Stack, Region) { ManifestAnswersWithoutLocationOrDigest = true };
        var repository = StackChecks.NewRepository("nodigest");

        var result = await PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).SetTargetTags("1", "2").EnableAutoCreateRepository());

        Assert.Equal([201, 201], front.Requests.Where(r => r.IsManifestPut).Select(r => r.Status));
        Assert.Equal(Digest(await ManifestAsync(repository, "1")), result.Digest);
        Assert.Equal(result.Digest, Digest(await ManifestAsync(repository, "2")));
        Assert.Equal($"{Host}/{repository}@{result.Digest}", result.DigestReference);
    }

    [Fact]
    public async Task A_tag_with_a_plus_is_refused_before_anything_moves()
    {
        var layout = Path.Combine(Folder("plus"), "oci");
        await TestLayout.WriteAsync(layout, "1", 64 * 1024);
        await using var front = new EcrRegistryFront(Stack, Region);
        var repository = StackChecks.NewRepository("plus");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushThroughAsync(front, s => s.SetSourceOciLayout(layout).SetRepositoryName(repository).SetTargetTags("1.4.2+build.7").EnableAutoCreateRepository()));

        Assert.Contains("TargetTags[0] '1.4.2+build.7' has a '+': it must be a Docker tag: 1 to 128 letters, digits, _ . -", exception.Message, StringComparison.Ordinal);
        Assert.Contains("use '-' or '_' instead, e.g. '1.4.2-build.7'", exception.Message, StringComparison.Ordinal);
        Assert.Empty(front.Requests);
        var repositories = await StackChecks.EcrApiAsync(Stack, Region, "DescribeRepositories", "{}");
        Assert.DoesNotContain(repositories.GetProperty("repositories").EnumerateArray(), r => r.GetProperty("repositoryName").GetString() == repository);
    }

    [Fact]
    public async Task An_immutable_tag_takes_the_same_layout_again_and_refuses_another_naming_the_tag_and_the_repository()
    {
        var first = Path.Combine(Folder("immutable"), "a");
        var imageId = await TestLayout.WriteAsync(first, "1", 64 * 1024);
        var second = Path.Combine(Folder("immutable"), "b");
        var otherId = await TestLayout.WriteAsync(second, "1", 64 * 1024);
        var repository = StackChecks.NewRepository("immutable");
        EcrPushSettings Settings(string layout) => new EcrPushSettings().SetSourceOciLayout(layout).SetRepositoryName(repository)
            .SetTargetTags("1.0.0").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable);
        var pushed = await PushAsync(Settings(first));
        var before = RequestsTo(repository).Count;
        var log = fixture.Mark();

        var again = await PushAsync(Settings(first));

        Assert.Equal(pushed.Digest, again.Digest);
        Assert.Contains($"The immutable tag 1.0.0 already holds this image ({pushed.Digest}): nothing to push for it", log.Text, StringComparison.Ordinal);
        Assert.Empty(RequestsTo(repository).Skip(before));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushAsync(Settings(second)));

        output.WriteLine(exception.Message);

        Assert.Contains($"The repository {Host}/{repository} has IMMUTABLE tags, and this tag already holds another image: 1.0.0 holds {pushed.Digest} (image {imageId}). This image is {otherId}. Nothing was pushed. Push under a new tag", exception.Message, StringComparison.Ordinal);
        Assert.Empty(RequestsTo(repository).Skip(before));
        Assert.Equal(pushed.Digest, Digest(await ManifestAsync(repository, "1.0.0")));
    }

    [Fact]
    public async Task Another_writer_taking_an_immutable_tag_between_the_check_and_the_manifest_PUT_is_named_and_no_tag_moves()
    {
        var ours = Path.Combine(Folder("race"), "ours");
        var oursId = await TestLayout.WriteAsync(ours, "1", 64 * 1024);
        var theirs = Path.Combine(Folder("race"), "theirs");
        var theirsId = await TestLayout.WriteAsync(theirs, "1", 64 * 1024);
        var repository = StackChecks.NewRepository("race");
        EcrPushSettings Settings(string layout) => new EcrPushSettings().SetSourceOciLayout(layout).SetRegion(Region).SetRepositoryName(repository)
            .SetTargetTags("1.0.0").EnableAutoCreateRepository().SetTagMutability(TagMutability.Immutable);
        await using var front = new EcrRegistryFront(Stack, Region);
        EcrPushResult? other = null;
        var raced = 0;
        front.BeforeManifestPut = async _ =>
        {
            if (Interlocked.Exchange(ref raced, 1) == 0)
            {
                other = await PushAsync(Settings(theirs));
            }
        };

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => PushThroughAsync(front, _ => Settings(ours)));

        output.WriteLine(exception.ToString());
        Assert.Equal(1, raced);
        Assert.Contains($"The repository {Host}/{repository} has IMMUTABLE tags, and this tag already holds another image: 1.0.0 holds {other!.Digest} (image {theirsId}). This image is {oursId}. Another push wrote it after this push had checked it, and the registry refused this one.", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"Nothing was tagged in {Host}/{repository}.", exception.Message, StringComparison.Ordinal);
        Assert.Contains(Chain(exception), e => e.Message.StartsWith($"The registry {Host} answered 400 Bad Request when asked to put the manifest", StringComparison.Ordinal) && e.Message.Contains(": TAG_INVALID: The image tag '1.0.0' already exists", StringComparison.Ordinal));
        Assert.Equal(400, Assert.Single(front.Requests, r => r.IsManifestPut).Status);
        Assert.Equal(other.Digest, Digest(await ManifestAsync(repository, "1.0.0")));
    }

    [Fact]
    public async Task Cancelling_a_two_destination_push_after_one_finished_is_a_cancellation_and_leaves_nothing_half_done()
    {
        await Stack.BuildImageAsync("it-twodest:1", layers: 2, bytesPerLayer: 256 * 1024);
        var archive = Path.Combine(Folder("twodest"), "image.tar");
        await SourceTools.DockerSaveAsync(Stack, "it-twodest:1", archive);
        var scratch = Folder("twodest-tmp");
        using var temp = new EnvironmentScope(("TMPDIR", scratch));
        await using var front = new EcrRegistryFront(Stack, OtherRegion) { HoldsUploads = true };
        var repository = StackChecks.NewRepository("twodest");
        var settings = new EcrPushSettings().SetSourceImageArchive(archive).SetRegion(Region).AddDestinations(new EcrDestination(OtherRegion))
            .SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository();
        using var cancel = new CancellationTokenSource();

        // The first region's registry directly; the other's through the front, which holds its uploads.
        var push = SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), settings, handler =>
        {
            var direct = handler.ConnectCallback!;
            handler.ConnectCallback = (context, ct) => context.DnsEndPoint.Host == Stack.RegistryHost(OtherRegion) ? ConnectAsync(front.EndPoint, ct) : direct(context, ct);
        }, cancel.Token);
        var waited = Stopwatch.StartNew();
        while ((await StackChecks.RegistryTagsAsync(Stack, Region, repository)).Count == 0 || !front.Requests.Any(r => r.Method == "POST"))
        {
            Assert.False(push.IsCompleted, $"the push ended before it was cancelled: {push.Exception?.InnerException?.Message}");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the first destination did not finish within 60 s");
            await Task.Delay(100);
        }

        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var exception = await Record.ExceptionAsync(() => push.WaitAsync(TimeSpan.FromSeconds(30)));

        output.WriteLine($"cancelled {waited.Elapsed.TotalSeconds:0.0} s in; returned {clock.Elapsed.TotalMilliseconds:0} ms later: {exception?.GetType().Name}");
        Assert.IsAssignableFrom<OperationCanceledException>(exception);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));

        // The finished destination holds the whole image, as on the engine path; the held one has no tag and no
        // manifest; the archive's scratch folder is gone; and no engine was touched, so no engine tag exists.
        Assert.Equal(["1"], await StackChecks.RegistryTagsAsync(Stack, Region, repository));
        Assert.Empty(await StackChecks.RegistryTagsAsync(Stack, OtherRegion, repository));
        Assert.DoesNotContain(front.Requests, r => r.IsManifestPut);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Host}/{repository}"));
        Assert.Empty(await StackChecks.EngineTagsForAsync(Stack, $"{Stack.RegistryHost(OtherRegion)}/{repository}"));
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The returned stream owns the socket.")]
    private static async ValueTask<Stream> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private List<RegistryRequest> RequestsTo(string repository)
        => [.. Stack.RegistryRequests(Region).Where(r => r.Target.StartsWith($"/v2/{repository}/", StringComparison.Ordinal))];

    private Task<EcrPushResult> PushAsync(EcrPushSettings settings)
        => SourceTools.PushAsync(Stack, Stack.RegistryEndPoint(Region), settings);

    /// <summary>Through the front, one connection per request, so that it sees each.</summary>
    private Task<EcrPushResult> PushThroughAsync(EcrRegistryFront front, Func<EcrPushSettings, EcrPushSettings> configure)
        => SourceTools.PushAsync(Stack, front.EndPoint, configure(new EcrPushSettings().SetRegion(Region)), handler => handler.PooledConnectionLifetime = TimeSpan.Zero);

    private string Folder(string name) => _folders.New(name);

    /// <summary>The manifest as the registry holds it.</summary>
    private async Task<byte[]> ManifestAsync(string repository, string reference)
    {
        using var client = Stack.CreateRegistryClient(Region);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET {repository}/manifests/{reference}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }
}

using System.Security.Cryptography;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Snapshots;

/// <summary>
/// The assembly's scrubbers (<see cref="SnapshotScrubbers"/>) on a log that holds every kind of value that changes from
/// run to run, next to look-alikes that must stay: a snapshot of a push's log can rely on both.
/// </summary>
public sealed class SnapshotScrubberTests
{
    private const string Layer = "sha256:4f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
    private const string Manifest = "sha256:a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1";
    private const string Config = "sha256:c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

    [Fact]
    public Task Volatile_values_in_a_log_are_scrubbed_at_both_levels_and_look_alikes_stay()
    {
        var log = new RecordingLog();
        var scratch = Path.Combine(Path.GetTempPath(), $"ecrpush-{Path.GetRandomFileName()}");
        var layout = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));

        log.Verbose($"{Layer[..19]}: uploaded 2048 bytes in 0.37 s");
        log.Verbose($"{Config[..19]}: a short digest whose full one the log never prints");
        log.Verbose("ECR GetAuthorizationToken: HTTP 200 in 41 ms (attempt 1)");
        log.Verbose("ECR DescribeRepositories: attempt 1 of 3 failed (no answer within 0.5 s); retrying in 118 ms");
        log.Information($"Read {layout}/index.json: an image index, {Layer}, 3 blobs of 4096 bytes, in 1.05 s");
        log.Information($"Unpacked the archive into {scratch}/blobs and {scratch}/index.json");
        log.Information($"Pushed 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.4.2 ({Manifest}) in 12.34 s");
        log.Information($"The manifest {Manifest} lists {Layer}");
        log.Information($"Request {Guid.NewGuid()} to http://127.0.0.1:{RandomNumberGenerator.GetInt32(20000, 32768)}/ and https://127.31.7.2:{RandomNumberGenerator.GetInt32(1024, 65536)}/v2/ via http://localhost:{RandomNumberGenerator.GetInt32(1024, 65536)}");
        log.Information("Kept: proxy.example:3128, https://ecr.us-east-1.amazonaws.com:443, tcp://docker:2376, an inactivity limit of 30 s, a retry in 1.0 s, 2.5 MiB");
        log.Information($"Token expires at {DateTimeOffset.UtcNow.AddHours(12):O}; role session EcrPush-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}");
        log.Warning($"Could not remove {scratch}: it is in use");

        return Verify(log.AtInformationAndVerbose());
    }
}

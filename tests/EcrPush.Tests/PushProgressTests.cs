using System.Text.Json;
using Docker.DotNet.Models;
using Ecr.Internal.Docker;
using Ecr.Tests.Fakes;

namespace Ecr.Tests;

public sealed class PushProgressTests
{
    private const string Digest = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    [Fact]
    public void An_error_inside_a_200_stream_is_caught()
    {
        var progress = new PushProgress(new RecordingLog());

        progress.Report(new JSONMessage { Status = "The push refers to repository [h/team/web]" });
        progress.Report(new JSONMessage { Error = new JSONError { Message = "name unknown: The repository with name 'team/web' does not exist" } });

        Assert.Equal("name unknown: The repository with name 'team/web' does not exist", progress.Error);
        Assert.Null(progress.Digest);
    }

    [Fact]
    public void The_digest_comes_from_the_aux_message_or_the_status_line()
    {
        var fromAux = new PushProgress(new RecordingLog());
        fromAux.Report(new JSONMessage { Aux = new ObjectExtensionData { ExtensionData = JsonSerializer.Deserialize<Dictionary<string, object>>($$"""{"Tag":"1","Digest":"{{Digest}}","Size":528}""") } });
        Assert.Equal(Digest, fromAux.Digest);

        var fromStatus = new PushProgress(new RecordingLog());
        fromStatus.Report(new JSONMessage { Status = $"1: digest: {Digest} size: 528" });
        Assert.Equal(Digest, fromStatus.Digest);
    }

    [Fact]
    public void Thousands_of_progress_messages_become_a_few_lines()
    {
        var log = new RecordingLog();
        var progress = new PushProgress(log);
        foreach (var layer in new[] { "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc" })
        {
            progress.Report(new JSONMessage { ID = layer, Status = "Preparing" });
            progress.Report(new JSONMessage { ID = layer, Status = "Waiting" });
            for (var i = 1; i <= 2000; i++)
            {
                progress.Report(new JSONMessage { ID = layer, Status = "Pushing", Progress = new JSONProgress { Current = i * 512, Total = 2000 * 512 } });
            }

            progress.Report(new JSONMessage { ID = layer, Status = "Pushed" });
        }

        progress.Report(new JSONMessage { ID = "dddddddddddd", Status = "Layer already exists" });
        progress.Report(new JSONMessage { ID = "eeeeeeeeeeee", Status = "Pushing", Progress = new JSONProgress { Current = 67_072, Total = 65_536 } });

        Assert.InRange(log.Lines.Count, 10, 30);
        Assert.Equal(3, log.Lines.Count(line => line.EndsWith(": pushed", StringComparison.Ordinal)));
        Assert.Equal(1, log.Lines.Count(line => line.EndsWith(": already in the registry", StringComparison.Ordinal)));
        Assert.Contains("INF   aaaaaaaaaaaa: pushing 1000.0 KiB of 1000.0 KiB", log.Lines);
        Assert.Contains("INF   dddddddddddd: already in the registry", log.Lines);
        Assert.Contains("INF   eeeeeeeeeeee: pushing 64.0 KiB of 64.0 KiB", log.Lines);
        Assert.Null(progress.Error);
    }
}

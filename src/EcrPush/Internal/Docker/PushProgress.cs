using System.Globalization;
using System.Text.RegularExpressions;
using Docker.DotNet.Models;

namespace Ecr.Internal.Docker;

/// <summary>
/// Reads the engine's push stream. The Engine API answers 200 and reports a failed push inside the stream,
/// so every message is checked for an error; the digest comes from the final aux message (or its status
/// line). Layer progress is logged when a layer changes state and at most every quarter of its size, so a CI
/// log gets tens of lines, not thousands.
/// </summary>
internal sealed partial class PushProgress(IPushLog log) : IProgress<JSONMessage>
{
    private readonly Dictionary<string, LayerState> _layers = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public string? Error { get; private set; }

    public string? Digest { get; private set; }

    public void Report(JSONMessage value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            // Docker.DotNet calls this synchronously for each message, in order; the lock guards against a
            // transport that does not.
            Read(value);
        }
    }

    private void Read(JSONMessage message)
    {
        var error = message.Error?.Message;
        if (!string.IsNullOrEmpty(error))
        {
            Error ??= error;
            return;
        }

        if (message.Aux?.ExtensionData is { } aux && aux.TryGetValue("Digest", out var digest) && digest is not null)
        {
            Digest = digest.ToString();
            return;
        }

        if (message.Status is null)
        {
            return;
        }

        if (DigestLine().Match(message.Status) is { Success: true } match)
        {
            Digest ??= match.Groups["digest"].Value;
            return;
        }

        if (string.IsNullOrEmpty(message.ID) || !LayerId().IsMatch(message.ID))
        {
            if (!string.IsNullOrWhiteSpace(message.Status))
            {
                log.Verbose(message.Status);
            }

            return;
        }

        ReadLayer(message.ID, message.Status, message.Progress);
    }

    private void ReadLayer(string id, string status, JSONProgress? progress)
    {
        if (!_layers.TryGetValue(id, out var state))
        {
            state = new LayerState();
            _layers[id] = state;
        }

        if (status == "Pushing" && progress is { Total: > 0 and var total })
        {
            var current = progress.Current ?? 0;
            var quarter = (int)Math.Min(4, current * 4 / total);
            if (quarter > state.LastQuarter)
            {
                state.LastQuarter = quarter;
                // The engine counts bytes sent, which can pass the layer's size it reports as the total.
                log.Information(string.Create(CultureInfo.InvariantCulture, $"  {id}: pushing {Size(Math.Min(current, total))} of {Size(total)}"));
            }

            state.Status = status;
            return;
        }

        if (status == state.Status)
        {
            return;
        }

        state.Status = status;
        switch (status)
        {
            case "Pushed":
                log.Information($"  {id}: pushed");
                break;
            case "Layer already exists":
                log.Information($"  {id}: already in the registry");
                break;
            default:
                log.Verbose($"  {id}: {status}");
                break;
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.0} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    [GeneratedRegex(@"digest: (?<digest>sha256:[0-9a-f]{64})", RegexOptions.CultureInvariant)]
    private static partial Regex DigestLine();

    [GeneratedRegex(@"\A[0-9a-f]{12,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex LayerId();

    private sealed class LayerState
    {
        public string? Status { get; set; }

        public int LastQuarter { get; set; }
    }
}

using System.Collections.Concurrent;
using Ecr.Internal;
using Ecr.Internal.Docker;
using Ecr.Internal.Registry;

namespace Ecr.Tests.Fakes;

/// <summary>
/// An engine with images and tags the test sets up; pushes succeed, fail, or wait, as told. With a <see cref="Registry"/>,
/// a push puts the image there (one layer and a config made from the image's ID), as a real engine's push would, so that
/// the push can copy it on into other destinations.
/// </summary>
internal sealed class FakeDockerEngine : IDockerEngine
{
    public const string Digest = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    public ConcurrentDictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Pushed { get; } = new();

    public ConcurrentQueue<(string ServerAddress, RegistryCredentials Credentials)> PushCredentials { get; } = new();

    public FakeRegistry? Registry { get; set; }

    public Func<string, string, Task<string>>? OnPush { get; set; }

    public Uri Endpoint { get; } = new("unix:///fake/docker.sock");

    public Task<EngineImage> FindImageAsync(SourceImage source, CancellationToken cancellationToken)
    {
        var id = source.IsId
            ? Tags.Values.FirstOrDefault(v => v.StartsWith("sha256:" + source.Reference, StringComparison.Ordinal) || v == source.Reference)
            : Tags.GetValueOrDefault(source.Reference);
        return id is null
            ? Task.FromException<EngineImage>(new EcrPushException($"The image {source.Reference} is not in the fake engine."))
            : Task.FromResult(new EngineImage(id, [.. Tags.Where(t => t.Value == id && !t.Key.StartsWith("<none>", StringComparison.Ordinal)).Select(t => t.Key)]));
    }

    public Task TagAsync(string imageId, string repository, string tag, CancellationToken cancellationToken)
    {
        Tags[$"{repository}:{tag}"] = imageId;
        return Task.CompletedTask;
    }

    public async Task<string> PushAsync(string repository, string tag, string registryHost, RegistryCredentials credentials, IPushLog log, CancellationToken cancellationToken)
    {
        PushCredentials.Enqueue((registryHost, credentials));
        var digest = OnPush is not null ? await OnPush(repository, tag)
            : Registry is not null ? Registry.AddImage(registryHost, repository[(registryHost.Length + 1)..], tag, Tags[$"{repository}:{tag}"])
            : Digest;
        Pushed.Enqueue($"{repository}:{tag}");
        return digest;
    }

    public Task RemoveTagAsync(string reference, CancellationToken cancellationToken)
    {
        Tags.TryRemove(reference, out _);
        return Task.CompletedTask;
    }
}

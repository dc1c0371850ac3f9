namespace Ecr.Internal.Docker;

/// <summary>
/// The Docker engine operations a push needs. The real one speaks the Engine API through Docker.DotNet; unit
/// tests use a fake to show what the real engine will not do on demand (a push stream that fails half-way).
/// </summary>
internal interface IDockerEngine
{
    /// <summary>The endpoint, for messages: <c>unix:///var/run/docker.sock</c>.</summary>
    Uri Endpoint { get; }

    /// <summary>Finds the source image; throws <see cref="EcrPushException"/> when it is missing or an ID prefix is ambiguous.</summary>
    Task<EngineImage> FindImageAsync(SourceImage source, CancellationToken cancellationToken);

    /// <summary>Tags an image <c>repository:tag</c> (the repository including the registry host).</summary>
    Task TagAsync(string imageId, string repository, string tag, CancellationToken cancellationToken);

    /// <summary>
    /// Pushes <c>repository:tag</c> with the credentials in the request; returns the manifest digest. A registry's refusal
    /// is a <see cref="Registry.RegistryException"/> with the registry's error code, as the engine reported it.
    /// </summary>
    Task<string> PushAsync(string repository, string tag, string registryHost, Registry.RegistryCredentials credentials, IPushLog log, CancellationToken cancellationToken);

    /// <summary>Removes one tag (not the image, while other references hold it).</summary>
    Task RemoveTagAsync(string reference, CancellationToken cancellationToken);
}

/// <summary>An image as the engine knows it: its ID (the config digest) and the tags it has.</summary>
internal sealed record EngineImage(string Id, IReadOnlyList<string> RepoTags);

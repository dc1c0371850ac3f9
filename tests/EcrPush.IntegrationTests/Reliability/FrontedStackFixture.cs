using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// A second stack whose engine reaches the registry through <see cref="RegistryFront"/>, for the faults between
/// the engine and the registry that the collection's stack cannot show. One region, to start in about a second.
/// </summary>
public sealed class FrontedStackFixture : IAsyncLifetime
{
    public const string Region = "us-west-2";

    public LocalEcrStack Stack { get; private set; } = null!;

    internal RegistryFront Front { get; private set; } = null!;

    public string Host => Stack.RegistryHost(Region);

    public async Task InitializeAsync()
    {
        Stack = await LocalEcrStack.StartAsync(new LocalEcrStackOptions { Regions = [Region], FrontRegistries = true });
        Front = new RegistryFront(Stack, Region);
    }

    public async Task DisposeAsync()
    {
        if (Front is not null)
        {
            await Front.DisposeAsync();
        }

        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    /// <summary>Settings that push <paramref name="image"/>:1 to this stack (its engine, its moto), creating the repository.</summary>
    public EcrPushSettings Settings(string image, string repository)
        => new EcrPushSettings()
            .SetDockerHost(Stack.DockerHost).SetRegion(Region).SetEcrEndpointUrl(Stack.EcrEndpoint.ToString())
            .SetSourceImageName(image).SetSourceImageTag("1")
            .SetRepositoryName(repository).SetTargetTags("1").EnableAutoCreateRepository();
}

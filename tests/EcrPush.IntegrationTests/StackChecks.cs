using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Ecr.TestStack;

namespace Ecr.IntegrationTests;

/// <summary>What the tests ask the real parts directly: the registry's tags, the engine's images, a pull back.</summary>
internal static class StackChecks
{
    public static string NewRepository(string name) => $"it/{name}-{Guid.NewGuid():N}"[..Math.Min(60, name.Length + 12)];

    public static DockerClient Engine(LocalEcrStack stack) => new DockerClientBuilder().WithEndpoint(new Uri(stack.DockerHost)).Build();

    public static Task<IReadOnlyList<string>> RegistryTagsAsync(LocalEcrStack stack, string region, string repository) =>
        stack.RegistryTagsAsync(region, repository);

    /// <summary>
    /// Asks moto, the ECR API of the stack, directly: what a repository looks like now. moto does not check
    /// signatures, but it routes by the credential scope of the Authorization header, so one is sent.
    /// </summary>
    public static async Task<JsonElement> EcrApiAsync(LocalEcrStack stack, string region, string operation, string body)
    {
        var (status, text) = await EcrApiCallAsync(stack, region, operation, body);
        Assert.True(status is >= 200 and < 300, $"{operation} answered {status}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>One ECR API call, whatever it answers: the status and the body (an error's included).</summary>
    public static Task<(int Status, string Body)> EcrApiCallAsync(LocalEcrStack stack, string region, string operation, string body)
        => ApiCallAsync(stack, "AmazonEC2ContainerRegistry_V20150921", "ecr", region, operation, body);

    /// <summary>One call of the stand-in's ECR Public API (SpencerFrontendService), signed for <paramref name="region"/>; must succeed.</summary>
    public static async Task<JsonElement> EcrPublicApiAsync(LocalEcrStack stack, string operation, string body, string region = "us-east-1")
    {
        var (status, text) = await ApiCallAsync(stack, "SpencerFrontendService", "ecr-public", region, operation, body);
        Assert.True(status is >= 200 and < 300, $"{operation} answered {status}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // The front and moto route by the target prefix and the credential scope (region, service); neither checks the signature.
    private static async Task<(int Status, string Body)> ApiCallAsync(LocalEcrStack stack, string targetPrefix, string service, string region, string operation, string body)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, stack.EcrEndpoint) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"{targetPrefix}.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=00");
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Tags in the engine that point into the registry host: what a push must not leave behind.</summary>
    public static async Task<IReadOnlyList<string>> EngineTagsForAsync(LocalEcrStack stack, string prefix)
    {
        using var engine = Engine(stack);
        var images = await engine.Images.ListImagesAsync(new ImagesListParameters { All = true });
        return [.. images.SelectMany(i => i.RepoTags ?? []).Where(t => t.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>Pulls a reference back from the registry and returns the image ID the engine gives it.</summary>
    public static Task<string> PullBackAsync(LocalEcrStack stack, string region, string reference) =>
        stack.PullBackAsync(region, reference);
}

using System.Net.Http.Json;
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

    public static async Task<IReadOnlyList<string>> RegistryTagsAsync(LocalEcrStack stack, string region, string repository)
    {
        using var client = stack.CreateRegistryClient(region);
        using var response = await client.GetAsync(new Uri($"https://{stack.RegistryHost(region)}/v2/{repository}/tags/list"));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? [.. tags.EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>
    /// Asks moto, the ECR API of the stack, directly: what a repository looks like now. moto does not check
    /// signatures, but it routes by the credential scope of the Authorization header, so one is sent.
    /// </summary>
    public static async Task<JsonElement> EcrApiAsync(LocalEcrStack stack, string region, string operation, string body)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, stack.EcrEndpoint) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", $"AmazonEC2ContainerRegistry_V20150921.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/ecr/aws4_request, SignedHeaders=host, Signature=00");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{operation} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Tags in the engine that point into the registry host: what a push must not leave behind.</summary>
    public static async Task<IReadOnlyList<string>> EngineTagsForAsync(LocalEcrStack stack, string prefix)
    {
        using var engine = Engine(stack);
        var images = await engine.Images.ListImagesAsync(new ImagesListParameters { All = true });
        return [.. images.SelectMany(i => i.RepoTags ?? []).Where(t => t.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>Pulls a reference back from the registry and returns the image ID the engine gives it.</summary>
    public static async Task<string> PullBackAsync(LocalEcrStack stack, string region, string reference)
    {
        using var engine = Engine(stack);
        string? error = null;
        var auth = new AuthConfig { ServerAddress = stack.RegistryHost(region), Username = "AWS", Password = LocalEcrStack.RegistryPassword };
        var parameters = reference.Contains('@', StringComparison.Ordinal)
            ? new ImagesCreateParameters { FromImage = reference }
            : new ImagesCreateParameters { FromImage = reference[..reference.LastIndexOf(':')], Tag = reference[(reference.LastIndexOf(':') + 1)..] };
        await engine.Images.CreateImageAsync(parameters, auth, new SyncProgress(m => error ??= m.Error?.Message));
        Assert.Null(error);
        var image = await engine.Images.InspectImageAsync(reference);
        return image.ID;
    }

    private sealed class SyncProgress(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}

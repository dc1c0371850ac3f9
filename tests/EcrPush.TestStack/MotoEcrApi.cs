using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecr.TestStack;

/// <summary>
/// The stack's registry gateways asking the stack's ECR API (moto) what ECR's registry would know: a repository's
/// tag mutability, what a tag holds, and recording a pushed manifest (PutImage). moto checks no signature but routes
/// by the credential scope of the Authorization header, so one naming the region is sent.
/// </summary>
internal sealed class MotoEcrApi(Func<Uri> endpoint) : IEcrRecords, IDisposable
{
    private const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921.";

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }, disposeHandler: true);

    /// <summary>Calls one operation; returns the AWS error code (null on success) and the body.</summary>
    public async Task<(string? ErrorCode, JsonElement Body)> CallAsync(
        string region, string operation, JsonObject request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint())
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        message.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        message.Headers.TryAddWithoutValidation(
            "Authorization", $"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/ecr/aws4_request, SignedHeaders=host, Signature=00");
        using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            body = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["message"] = text });
        }

        var code = response.IsSuccessStatusCode
            ? null
            : body.ValueKind == JsonValueKind.Object && body.TryGetProperty("__type", out var type) && type.GetString() is { } name
                ? name.Split('#')[^1]
                : $"HTTP {(int)response.StatusCode}";
        return (code, body);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// Where a registry gateway asks what ECR's API knows of its registry (a repository's mutability, a tag's image) and records
/// a pushed manifest: moto for the regions, the stack's ECR Public API for the public registry. The calls are ECR's
/// (DescribeRepositories, BatchGetImage, PutImage), each answering the AWS error code (null on success) and the body.
/// </summary>
internal interface IEcrRecords
{
    Task<(string? ErrorCode, JsonElement Body)> CallAsync(string region, string operation, JsonObject request, CancellationToken cancellationToken);
}

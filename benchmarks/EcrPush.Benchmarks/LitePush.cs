using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ecr.Benchmarks;

/// <summary>
/// A measuring stick, not a product: the same push as EcrPush's happy path (inspect ∥ token ∥ describe/create,
/// tag, push, untag) built only from what the framework ships precompiled: HttpClient on the engine's unix socket,
/// JsonDocument, SigV4 with HMACSHA256 from the SigV4 specification, keys and region from the environment. No
/// AWSSDK.Core, no Docker.DotNet, no credential chain, no retries, no error messages worth the
/// name, engine API pinned to 1.41. It shows how fast a .NET process can do the job on this machine, so that the
/// proposals for src/ can be priced against a floor. Selected with ECRPUSH_BENCH_LITE=1 in a push child.
/// </summary>
internal static partial class LitePush
{
    private const string ApiVersion = "v1.41";

    public static void Push(string name, string sourceTag, string repository, string tag, bool create, Action<string> log)
        => PushAsync(name, sourceTag, repository, tag, create, log).GetAwaiter().GetResult();

    private static async Task PushAsync(string name, string sourceTag, string repository, string tag, bool create, Action<string> log)
    {
        var source = $"{name}:{sourceTag}";
        log($"INF Pushing image {source} to the ECR repository {repository} as {tag}");
        var region = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? throw new InvalidOperationException("no region");
        var keys = new Keys(
            Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? throw new InvalidOperationException("no key"),
            Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? throw new InvalidOperationException("no secret"),
            Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"));
        var ecr = new Ecr(new Uri($"https://api.ecr.{region}.amazonaws.com/"), region, keys, log);
        log($"VER Region {region} (AWS_REGION); credentials from the environment");

        var engine = Engine.Create(new Uri(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock").LocalPath);
        var imageTask = Task.Run(async () =>
        {
            using var inspected = await engine.JsonAsync(HttpMethod.Get, $"images/{source}/json");
            var id = inspected.RootElement.GetProperty("Id").GetString()!;
            log($"INF Found {source}: {id[7..19]}");
            return id;
        });
        var tokenTask = Task.Run(async () =>
        {
            using var answer = await ecr.CallAsync("GetAuthorizationToken", "{}");
            var data = answer.RootElement.GetProperty("authorizationData")[0];
            var userPassword = Encoding.UTF8.GetString(Convert.FromBase64String(data.GetProperty("authorizationToken").GetString()!)).Split(':', 2);
            return (Host: new Uri(data.GetProperty("proxyEndpoint").GetString()!).Host, User: userPassword[0], Password: userPassword[1]);
        });
        var repositoryTask = Task.Run(async () =>
        {
            var body = $"{{\"repositoryNames\":[{JsonSerializer.Serialize(repository, LiteJson.Default.String)}]}}";
            try
            {
                using var described = await ecr.CallAsync("DescribeRepositories", body);
                log($"VER The repository {repository} exists");
            }
            catch (EcrError error) when (error.Code == "RepositoryNotFoundException" && create)
            {
                using var created = await ecr.CallAsync("CreateRepository", $"{{\"repositoryName\":{JsonSerializer.Serialize(repository, LiteJson.Default.String)}}}");
                log($"INF Created the repository {repository}");
            }
        });
        await Task.WhenAll(imageTask, tokenTask, repositoryTask);
        var (imageId, token) = (await imageTask, await tokenTask);

        var target = $"{token.Host}/{repository}";
        (await engine.SendAsync(HttpMethod.Post, $"images/{imageId}/tag?repo={Uri.EscapeDataString(target)}&tag={Uri.EscapeDataString(tag)}")).Dispose();
        try
        {
            log($"INF Pushing {target}:{tag}");
            var auth = JsonSerializer.SerializeToUtf8Bytes(new LiteAuth(token.User, token.Password, token.Host), LiteJson.Default.LiteAuth);
            var digest = await engine.PushAsync(target, tag, Convert.ToBase64String(auth).Replace('+', '-').Replace('/', '_'), log);
            log($"VER digest {digest}");
        }
        finally
        {
            (await engine.SendAsync(HttpMethod.Delete, $"images/{Uri.EscapeDataString($"{target}:{tag}")}?noprune=1")).Dispose();
            log($"VER Removed the tag {target}:{tag}");
        }

        log($"INF Pushed {target}:{tag}");
    }

    private sealed record Keys(string AccessKey, string SecretKey, string? SessionToken);

    internal sealed record LiteAuth(
        [property: System.Text.Json.Serialization.JsonPropertyName("username")] string Username,
        [property: System.Text.Json.Serialization.JsonPropertyName("password")] string Password,
        [property: System.Text.Json.Serialization.JsonPropertyName("serveraddress")] string ServerAddress);

    [System.Text.Json.Serialization.JsonSerializable(typeof(LiteAuth))]
    [System.Text.Json.Serialization.JsonSerializable(typeof(string))]
    internal sealed partial class LiteJson : System.Text.Json.Serialization.JsonSerializerContext;

    private sealed class EcrError(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    /// <summary>ECR's JSON 1.1 API, signed with SigV4 (AWS4-HMAC-SHA256) as the specification describes it.</summary>
    private sealed class Ecr(Uri endpoint, string region, Keys keys, Action<string> log)
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

        public async Task<JsonDocument> CallAsync(string operation, string json)
        {
            var clock = Stopwatch.StartNew();
            var body = Encoding.UTF8.GetBytes(json);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
            var target = "AmazonEC2ContainerRegistry_V20150921." + operation;
            var now = DateTime.UtcNow;
            var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var date = amzDate[..8];
            var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["content-type"] = "application/x-amz-json-1.1",
                ["host"] = endpoint.Host,
                ["x-amz-date"] = amzDate,
                ["x-amz-target"] = target,
            };
            if (keys.SessionToken is { } sessionToken)
            {
                headers["x-amz-security-token"] = sessionToken;
            }

            var signedHeaders = string.Join(';', headers.Keys);
            var canonical = $"POST\n{endpoint.AbsolutePath}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value.Trim()}\n"))}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
            var scope = $"{date}/{region}/ecr/aws4_request";
            var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + keys.SecretKey), Encoding.UTF8.GetBytes(date));
            foreach (var part in new[] { region, "ecr", "aws4_request" })
            {
                key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
            }

            var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
            request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
            if (keys.SessionToken is { } token)
            {
                request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
            }

            request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={keys.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
            using var response = await _http.SendAsync(request);
            var content = await response.Content.ReadAsByteArrayAsync();
            var document = JsonDocument.Parse(content);
            log(string.Create(CultureInfo.InvariantCulture, $"VER ECR {operation}: HTTP {(int)response.StatusCode} in {clock.ElapsedMilliseconds} ms"));
            if (!response.IsSuccessStatusCode)
            {
                var type = document.RootElement.TryGetProperty("__type", out var t) ? t.GetString() ?? string.Empty : string.Empty;
                document.Dispose();
                throw new EcrError(type[(type.LastIndexOf('#') + 1)..], $"ECR {operation}: HTTP {(int)response.StatusCode} {type}");
            }

            return document;
        }

        private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
    }

    /// <summary>The few Engine API calls of a push, over the unix socket.</summary>
    private sealed class Engine(HttpClient http)
    {
        public static Engine Create(string socketPath) => new(new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri($"http://docker.engine/{ApiVersion}/"), Timeout = Timeout.InfiniteTimeSpan });

        public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, string? registryAuth = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (registryAuth is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Registry-Auth", registryAuth);
            }

            var response = await http.SendAsync(request, completion);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync();
                response.Dispose();
                throw new InvalidOperationException($"engine {method} {path}: {(int)response.StatusCode} {text}");
            }

            return response;
        }

        public async Task<JsonDocument> JsonAsync(HttpMethod method, string path)
        {
            using var response = await SendAsync(method, path);
            return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        }

        /// <summary>Pushes and reads the progress stream; an error inside the stream (after a 200) is thrown.</summary>
        public async Task<string> PushAsync(string repository, string tag, string registryAuth, Action<string> log)
        {
            using var response = await SendAsync(HttpMethod.Post, $"images/{Uri.EscapeDataString(repository)}/push?tag={Uri.EscapeDataString(tag)}", HttpCompletionOption.ResponseHeadersRead, registryAuth);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string? digest = null;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using var message = JsonDocument.Parse(line);
                var root = message.RootElement;
                if (root.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"push: {error.GetString()}");
                }

                if (root.TryGetProperty("aux", out var aux) && aux.TryGetProperty("Digest", out var d))
                {
                    digest = d.GetString();
                }
                else if (root.TryGetProperty("status", out var status) && root.TryGetProperty("id", out var id) && status.GetString() is { } s && s != "Pushing")
                {
                    log($"VER   {id.GetString()}: {s}");
                }
            }

            return digest ?? throw new InvalidOperationException("push: no digest");
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// The stack's ECR API endpoint: moto behind a front that keeps the API and the registries in step where ECR's shared
/// storage does it. In ECR a PutImage through the API makes the tag pullable from the registry at once; moto keeps its
/// own list of images and never reaches docker-registry. So a PutImage goes to the region's
/// <see cref="RegistryGateway"/>, which writes the manifest into the registry and records it in moto as one step; every
/// other call passes to moto as it is, but managed signing, which moto lacks (<see cref="ManagedSigningStandIn"/>). The region is the one in the request's credential scope, as moto routes it.
/// One request per connection (<c>Connection: close</c>), with a length: what the AWS SDKs and CLI send.
/// </summary>
internal sealed partial class EcrApiGateway : IAsyncDisposable
{
    private const int MaxBodyBytes = 8 * 1024 * 1024;
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Content-Length", "Transfer-Encoding", "Expect", "Content-Type", "Proxy-Connection",
    };

    private readonly Uri _moto;
    private readonly IReadOnlyDictionary<string, RegistryGateway> _registries;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }, disposeHandler: true);
    private readonly ConnectionLoop _loop;

    private readonly ManagedSigningStandIn _signing;

    public EcrApiGateway(Uri moto, IReadOnlyDictionary<string, RegistryGateway> registries, ManagedSigningStandIn signing)
    {
        _moto = moto;
        _registries = registries;
        _signing = signing;
        _loop = new ConnectionLoop(new IPEndPoint(IPAddress.Loopback, 0), HandleAsync);
        Endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_loop.LocalEndPoint.Port}"));
    }

    /// <summary>Where it listens: what <c>AWS_ENDPOINT_URL_ECR</c> names.</summary>
    public Uri Endpoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }

    // Credential=AKID/20260101/us-east-1/ecr/aws4_request
    [GeneratedRegex(@"Credential=[^/,]+/[0-9]+/(?<region>[a-z0-9-]+)/", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialScope();

    private async Task HandleAsync(Socket socket)
    {
        var stopping = _loop.Stopping;
        var client = new NetworkStream(socket, ownsSocket: false);
        await using (client.ConfigureAwait(false))
        {
            var head = await HttpRequestHead.ReadAsync(client, stopping).ConfigureAwait(false);
            if (head is null)
            {
                return;
            }

            if (!long.TryParse(head.Header("Content-Length") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxBodyBytes)
            {
                await WriteAsync(client, 411, "Length Required", "text/plain", [], "LocalEcrStack: the ECR API front takes bodies with a Content-Length of at most 8 MiB"u8.ToArray(), stopping).ConfigureAwait(false);
                return;
            }

            var body = new byte[length];
            var have = Math.Min(head.BodyStart.Length, (int)length);
            head.BodyStart[..have].CopyTo(body);
            await client.ReadExactlyAsync(body.AsMemory(have), stopping).ConfigureAwait(false);

            var operation = head.Header("X-Amz-Target")?.Split('.')[^1];
            var region = CredentialScope().Match(head.Header("Authorization") ?? string.Empty) is { Success: true } scope ? scope.Groups["region"].Value : null;
            if (operation == "PutImage" && region is not null && _registries.TryGetValue(region, out var registry))
            {
                var (status, json) = await registry.PutImageAsync(body, stopping).ConfigureAwait(false);
                await WriteAsync(client, status, status == 200 ? "OK" : "Bad Request", "application/x-amz-json-1.1", [], Encoding.UTF8.GetBytes(json), stopping).ConfigureAwait(false);
                return;
            }

            // moto has no managed signing: the stand-in answers it (ManagedSigningStandIn).
            if (ManagedSigningStandIn.Answers(operation) && region is not null)
            {
                var (status, json) = _signing.Answer(operation!, region, body);
                await WriteAsync(client, status, status == 200 ? "OK" : "Bad Request", "application/x-amz-json-1.1", [], Encoding.UTF8.GetBytes(json), stopping).ConfigureAwait(false);
                return;
            }

            await ForwardAsync(client, head, body, stopping).ConfigureAwait(false);
        }
    }

    private async Task ForwardAsync(Stream client, HttpRequestHead head, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(head.Method), new Uri(_moto, head.Target));
        if (body.Length > 0 || head.Method is "POST" or "PUT")
        {
            request.Content = new ByteArrayContent(body);
            if (head.Header("Content-Type") is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        foreach (var (name, value) in head.Headers.Where(header => !NotForwarded.Contains(header.Key)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var headers = response.Headers.Where(header => !NotForwarded.Contains(header.Key))
            .SelectMany(header => header.Value.Select(value => new KeyValuePair<string, string>(header.Key, value)))
            .ToList();
        await WriteAsync(client, (int)response.StatusCode, response.ReasonPhrase ?? string.Empty, response.Content.Headers.ContentType?.ToString(), headers, answer, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(Stream client, int status, string reason, string? contentType, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, CancellationToken cancellationToken)
    {
        var head = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n"));
        if (contentType is not null)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await client.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        await client.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await client.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ecr.TestStack;

/// <summary>
/// The stack's ECR API endpoint: moto behind a front that keeps the API and the registries in step where ECR's shared
/// storage does it. In ECR a PutImage through the API makes the tag pullable from the registry at once; moto keeps its
/// own list of images and never reaches docker-registry. So a PutImage goes to the region's
/// <see cref="RegistryGateway"/>, which writes the manifest into the registry and records it in moto as one step; the
/// operations that moto has not are answered here as ECR's API reference documents them: those of 2025
/// (EcrApiGateway.Operations2025.cs: creation templates, the archive storage class, lifecycle policies with archive rules,
/// an identity's refused calls), managed signing (<see cref="ManagedSigningStandIn"/>), and ECR Public's API (target prefix
/// SpencerFrontendService) by <see cref="PublicEcrApi"/>; every other call passes to moto as it is. The region is the one
/// in the request's credential scope, as moto routes it. One request per connection (<c>Connection: close</c>), with a
/// length: what the AWS SDKs and CLI send. Served on plain HTTP (what <c>AWS_ENDPOINT_URL_ECR</c> names) and over TLS
/// under the AWS endpoints' own names (<see cref="TlsEndPoint"/>).
/// </summary>
internal sealed partial class EcrApiGateway : IAsyncDisposable
{
    private const int MaxBodyBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Content-Length", "Transfer-Encoding", "Expect", "Content-Type", "Proxy-Connection",
    };

    private readonly Uri _moto;
    private readonly IReadOnlyDictionary<string, RegistryGateway> _registries;
    private readonly MotoEcrApi _ecr;
    private readonly EcrApiState _state;
    private readonly PublicEcrApi _public;
    private readonly X509Certificate2 _certificate;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }, disposeHandler: true);
    private readonly ConnectionLoop _loop;
    private readonly ConnectionLoop _tlsLoop;

    private readonly ManagedSigningStandIn _signing;

    public EcrApiGateway(Uri moto, IReadOnlyDictionary<string, RegistryGateway> registries, MotoEcrApi ecr, EcrApiState state, PublicEcrApi publicApi, X509Certificate2 certificate, ManagedSigningStandIn signing)
    {
        _moto = moto;
        _registries = registries;
        _ecr = ecr;
        _state = state;
        _public = publicApi;
        _certificate = certificate;
        _signing = signing;
        _loop = new ConnectionLoop(new IPEndPoint(IPAddress.Loopback, 0), HandleAsync);
        _tlsLoop = new ConnectionLoop(new IPEndPoint(IPAddress.Loopback, 0), HandleTlsAsync);
        Endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_loop.LocalEndPoint.Port}"));
    }

    /// <summary>Where it listens: what <c>AWS_ENDPOINT_URL_ECR</c> names.</summary>
    public Uri Endpoint { get; }

    /// <summary>Where it listens over TLS, with a certificate of the stack's authority for the AWS API endpoints' names (LocalEcrStack.EcrApiHostNames).</summary>
    public IPEndPoint TlsEndPoint => _tlsLoop.LocalEndPoint;

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync().ConfigureAwait(false);
        await _tlsLoop.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        _certificate.Dispose();
    }

    // Credential=AKID/20260101/us-east-1/ecr/aws4_request
    [GeneratedRegex(@"Credential=(?<key>[^/,]+)/[0-9]+/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/", RegexOptions.CultureInvariant)]
    private static partial Regex CredentialScope();

    private async Task HandleAsync(Socket socket)
    {
        var client = new NetworkStream(socket, ownsSocket: false);
        await using (client.ConfigureAwait(false))
        {
            await ServeAsync(client, _loop.Stopping).ConfigureAwait(false);
        }
    }

    private async Task HandleTlsAsync(Socket socket)
    {
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await using (tls.ConfigureAwait(false))
        {
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_tlsLoop.Stopping))
            {
                handshake.CancelAfter(HandshakeTimeout);
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] }, handshake.Token).ConfigureAwait(false);
                }
                catch (System.Security.Authentication.AuthenticationException)
                {
                    // A client that does not trust the stack's authority: nothing to serve.
                    return;
                }
            }

            await ServeAsync(tls, _tlsLoop.Stopping).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(Stream client, CancellationToken stopping)
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

        var target = head.Header("X-Amz-Target")?.Split('.');
        var operation = target?[^1];
        var scope = CredentialScope().Match(head.Header("Authorization") ?? string.Empty);
        var region = scope.Success ? scope.Groups["region"].Value : null;
        var accessKey = scope.Success ? scope.Groups["key"].Value : null;
        if (target is { Length: 2 } && target[0] == PublicEcrApi.TargetPrefix)
        {
            // As AWS answers a request signed for another service than the API's (ecr-public's signing name).
            var (publicStatus, publicJson) = scope.Success && scope.Groups["service"].Value != PublicEcrApi.SigningName
                ? (403, Error("InvalidSignatureException", $"Credential should be scoped to correct service: '{PublicEcrApi.SigningName}'."))
                : _public.Handle(operation!, body, region);
            await WriteJsonAsync(client, publicStatus, publicJson, stopping).ConfigureAwait(false);
            return;
        }

        if (operation is not null && _state.IsDenied(accessKey, operation))
        {
            await WriteJsonAsync(client, 400, Error("AccessDeniedException", $"User: arn:aws:iam::{LocalEcrStack.AccountId}:user/{accessKey} is not authorized to perform: ecr:{operation} on resource: arn:aws:ecr:{region}:{LocalEcrStack.AccountId}:repository/* because no identity-based policy allows the ecr:{operation} action"), stopping).ConfigureAwait(false);
            return;
        }

        if (operation == "PutImage" && region is not null && _registries.TryGetValue(region, out var registry))
        {
            var (status, json) = await registry.PutImageAsync(body, stopping).ConfigureAwait(false);
            await WriteJsonAsync(client, status, json, stopping).ConfigureAwait(false);
            return;
        }

        // moto has no managed signing: the stand-in answers it (ManagedSigningStandIn).
        if (ManagedSigningStandIn.Answers(operation) && region is not null)
        {
            var (status, json) = _signing.Answer(operation!, region, body);
            await WriteJsonAsync(client, status, json, stopping).ConfigureAwait(false);
            return;
        }

        if (region is not null && await AnswerAsync(operation, region, head, body, stopping).ConfigureAwait(false) is { } answer)
        {
            await WriteJsonAsync(client, answer.Status, answer.Json, stopping).ConfigureAwait(false);
            return;
        }

        var forwarded = await ForwardAsync(head, body, stopping).ConfigureAwait(false);
        await WriteAsync(client, forwarded.Status, forwarded.Reason, forwarded.ContentType, forwarded.Headers, forwarded.Body, stopping).ConfigureAwait(false);
    }

    private async Task<Forwarded> ForwardAsync(HttpRequestHead head, byte[] body, CancellationToken cancellationToken)
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
        return new Forwarded((int)response.StatusCode, response.ReasonPhrase ?? string.Empty, response.Content.Headers.ContentType?.ToString(), headers, answer);
    }

    private static string Error(string code, string message) => new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString();

    private static Task WriteJsonAsync(Stream client, int status, string json, CancellationToken cancellationToken)
        => WriteAsync(client, status, ReasonPhrase(status), "application/x-amz-json-1.1", [], Encoding.UTF8.GetBytes(json), cancellationToken);

    /// <summary>The reason phrase HTTP gives the status (403 Forbidden, not Bad Request), as AWS's front ends send it.</summary>
    private static string ReasonPhrase(int status)
    {
        using var response = new HttpResponseMessage((System.Net.HttpStatusCode)status);
        return response.ReasonPhrase ?? "Error";
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

    /// <summary>moto's answer to a call passed on: status, headers and body.</summary>
    private sealed record Forwarded(int Status, string Reason, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);
}

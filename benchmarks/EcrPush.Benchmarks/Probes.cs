using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Docker.DotNet;

namespace Ecr.Benchmarks;

/// <summary>
/// <c>probe NAME [ARG]</c>: one building block of a push, alone, in a fresh process, timed from inside Main, to
/// price the proposals for src/ (what a cold process pays for each piece, and for its lighter replacement):
/// <list type="bullet">
/// <item><description><c>docker-dotnet IMAGE</c> / <c>docker-raw IMAGE</c>: inspect an image through Docker.DotNet (the Enhanced fork, source-generated System.Text.Json)
/// or through HttpClient on the unix socket with source-generated System.Text.Json.</description></item>
/// <item><description><c>aws-chain</c> / <c>aws-env</c>: credentials through the AWS SDK's default chain, or straight from
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.</description></item>
/// <item><description><c>aws-sign</c>: one SigV4 signature through AWSSDK.Core's AWS4Signer (the way the library signs).</description></item>
/// <item><description><c>https URL</c> / <c>http URL</c>: the first request of the process, over TLS (handshake and trust
/// store included) or plain HTTP.</description></item>
/// </list>
/// Prints <c>PROBE ms=… jit_methods=… jit_ms=…</c>.
/// </summary>
internal static partial class Probes
{
    public static int Run(string[] args)
    {
        var name = args.Length > 1 ? args[1] : string.Empty;
        var argument = args.Length > 2 ? args[2] : string.Empty;
        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        var clock = Stopwatch.StartNew();
        var detail = name switch
        {
            "docker-dotnet" => DockerDotNet(argument),
            "docker-raw" => DockerRaw(argument),
            "aws-chain" => AwsChain(),
            "aws-env" => AwsEnvironment(),
            "aws-sign" => AwsSign(),
            "aws-config" => AwsConfig(),
            "https" or "http" => FirstRequest(argument),
            "nothing" => "-",
            _ => throw new ArgumentException($"Unknown probe '{name}'."),
        };
        var ms = clock.Elapsed.TotalMilliseconds;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PROBE ms={ms:0.0} jit_methods={System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} jit_ms={(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:0.0} detail={Uri.EscapeDataString(detail)}"));
        return 0;
    }

    private static Uri DockerHost() => new(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string DockerDotNet(string image)
    {
        using var client = new DockerClientBuilder().WithEndpoint(DockerHost()).Build();
        var inspected = client.Images.InspectImageAsync(image).GetAwaiter().GetResult();
        return inspected.ID;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string DockerRaw(string image)
    {
        var socketPath = DockerHost().LocalPath;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://docker.engine/") };
        using var response = http.GetAsync(new Uri($"v1.41/images/{image}/json", UriKind.Relative)).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        using var stream = response.Content.ReadAsStream();
        var inspected = JsonSerializer.Deserialize(stream, ProbeJson.Default.ImageInspect)!;
        return inspected.Id;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string AwsChain()
    {
        var credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        var keys = credentials.GetCredentialsAsync().GetAwaiter().GetResult();
        return credentials.GetType().Name + " " + keys.AccessKey;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string AwsEnvironment()
    {
        var credentials = new BasicAWSCredentials(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        var keys = credentials.GetCredentialsAsync().GetAwaiter().GetResult();
        return credentials.GetType().Name + " " + keys.AccessKey;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string AwsConfig()
    {
        var config = new ProbeClientConfig();
        config.AuthenticationRegion = "us-east-1";
        config.AuthenticationServiceName = "ecr";
        return config.AuthenticationRegion;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string AwsSign()
    {
        var config = new ProbeClientConfig();
        config.AuthenticationRegion = "us-east-1";
        config.AuthenticationServiceName = "ecr";
        using var request = new DefaultRequest(new ProbeRequest(), "ECR")
        {
            HttpMethod = "POST",
            Endpoint = new Uri("https://api.ecr.us-east-1.amazonaws.com"),
            ResourcePath = "/",
            Content = "{}"u8.ToArray(),
            AuthenticationRegion = "us-east-1",
        };
        request.Headers["X-Amz-Target"] = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken";
        request.Headers["Content-Type"] = "application/x-amz-json-1.1";
        var result = new AWS4Signer().SignRequest(request, config, null, "testing", "testing");
        return result.ForAuthorizationHeader[..40];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string FirstRequest(string url)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var response = http.GetAsync(new Uri(url)).GetAwaiter().GetResult();
        return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
    }

    internal sealed record ImageInspect([property: JsonPropertyName("Id")] string Id, [property: JsonPropertyName("RepoTags")] IReadOnlyList<string>? RepoTags);

    [JsonSerializable(typeof(ImageInspect))]
    internal sealed partial class ProbeJson : JsonSerializerContext;

    private sealed class ProbeRequest : AmazonWebServiceRequest;

    private sealed class ProbeClientConfig() : ClientConfig(new FixedDefaults())
    {
        public override string ServiceVersion => "2015-09-21";

        public override string UserAgent => "EcrPush.Benchmarks";

        public override string RegionEndpointServiceName => "api.ecr";

        public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters) => throw new NotSupportedException();

        private sealed class FixedDefaults : IDefaultConfigurationProvider
        {
            public IDefaultConfiguration GetDefaultConfiguration(RegionEndpoint clientRegion, DefaultConfigurationMode? requestedConfigurationMode = null)
                => new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard };
        }
    }
}

namespace Ecr.TestStack;

/// <summary>Settings for <see cref="LocalEcrStack.StartAsync"/>.</summary>
public sealed record LocalEcrStackOptions
{
    /// <summary>
    /// The AWS regions to serve, one registry each. The first one becomes <c>AWS_REGION</c> in
    /// <see cref="LocalEcrStack.AwsEnvironment"/>. Default: <c>us-east-1</c>, <c>eu-west-1</c>.
    /// </summary>
    public IReadOnlyList<string> Regions { get; init; } = ["us-east-1", "eu-west-1"];

    /// <summary>Where to write progress lines (start-up timings, teardown); <see langword="null"/> for none.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>How long all parts together may take to become ready before start-up fails. Default: 30 seconds.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When <see langword="true"/>, the engine reaches each region's registry host at a front address of its own
    /// (<see cref="LocalEcrStack.EngineRegistryEndPoint"/>) instead of the registry's
    /// (<see cref="LocalEcrStack.RegistryEndPoint"/>), and nothing listens there until the caller puts something
    /// there: a forwarder that injects faults (resets, 5xx, stalls, a slow link) between the engine and the
    /// registry. <see cref="LocalEcrStack.CreateRegistryCertificate"/> and <see cref="LocalEcrStack.ConnectRegistryAsync"/>
    /// let it terminate TLS as the registry would and pass requests on to the registry as the stack serves it (its
    /// gateway, which keeps the ECR API in step and refuses to move immutable tags). The stack's own probes and
    /// registry clients still go straight there. Default: <see langword="false"/>, the engine talks to it directly.
    /// </summary>
    public bool FrontRegistries { get; init; }

    /// <summary>
    /// When <see langword="true"/>, the engine also listens on TCP at <see cref="LocalEcrStack.EngineTlsHost"/> with
    /// <c>--tlsverify</c>: its certificate and a client certificate come from the stack's authority, as
    /// <c>ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c> in <see cref="LocalEcrStack.EngineCertPath"/> (the folder
    /// <c>DOCKER_CERT_PATH</c> names). The unix socket stays as it is. Default: <see langword="false"/>.
    /// </summary>
    public bool EngineTls { get; init; }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Amazon.Runtime;

using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Sends one ECR JSON 1.1 call: POST to the endpoint with the operation in <c>X-Amz-Target</c>, signed anew for
/// each attempt, retried per <see cref="StandardRetryPolicy"/>, each attempt bounded by its own timeout. Returns the
/// final answer (success or AWS error) for the client to interpret; throws only when no answer came.
/// Never logs a body, a header value or a credential.
/// </summary>
internal sealed class EcrApiTransport
{
    public const string TargetPrefix = "AmazonEC2ContainerRegistry_V20150921";
    public const string ContentType = "application/x-amz-json-1.1";

    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(30);

    private static readonly MediaTypeHeaderValue JsonContentType = new(ContentType);

    private readonly HttpMessageInvoker _http;
    private readonly EcrEndpoint _endpoint;
    private readonly AWSCredentials _credentials;
    private readonly string _credentialSource;
    private readonly IPushLog _log;
    private readonly StandardRetryPolicy _retry;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private readonly AwsRequestSigner _signer;

    public EcrApiTransport(
        HttpMessageInvoker http,
        EcrEndpoint endpoint,
        AWSCredentials credentials,
        string credentialSource,
        IPushLog log,
        StandardRetryPolicy retry,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        TimeSpan? attemptTimeout = null,
        TimeProvider? time = null,
        EcrApiService? service = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(retry);

        _http = http;
        _endpoint = endpoint;
        _credentials = credentials;
        _credentialSource = credentialSource;
        _log = log;
        _retry = retry;
        _delay = delay ?? Task.Delay;
        _attemptTimeout = attemptTimeout ?? DefaultAttemptTimeout;
        _time = time ?? TimeProvider.System;
        Service = service ?? EcrApiService.Private;
        _signer = new AwsRequestSigner(endpoint.SigningRegion, Service.SigningName);
    }

    public EcrEndpoint Endpoint => _endpoint;

    /// <summary>Which API: ECR's (private registries), or ECR Public's.</summary>
    public EcrApiService Service { get; }

    public string CredentialSource => _credentialSource;

    public async Task<EcrApiResponse> SendAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentNullException.ThrowIfNull(body);

        var retryCostTaken = 0;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var credentials = await AwsCredentialResolver.FetchKeysAsync(_credentials, _credentialSource, cancellationToken).ConfigureAwait(false);

            string problem;
            bool timedOut;
            Exception? failure;
            EcrApiResponse? answer = null;
            var stopwatch = Stopwatch.StartNew();
            using (var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCancellation.CancelAfter(_attemptTimeout);
                try
                {
                    answer = await SendOnceAsync(operation, body, credentials, attempt, attemptCancellation.Token).ConfigureAwait(false);
                    if (answer.IsSuccess || !StandardRetryPolicy.IsRetryable(answer.ErrorCode, answer.StatusCode))
                    {
                        _log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{Service.Name} {operation}: HTTP {answer.StatusCode}{(answer.ErrorCode is null ? string.Empty : $" {answer.ErrorCode}")} in {stopwatch.ElapsedMilliseconds} ms (attempt {attempt})"));
                        if (answer.IsSuccess)
                        {
                            _retry.OnSuccess(retryCostTaken);
                        }

                        return answer;
                    }

                    problem = string.Create(CultureInfo.InvariantCulture, $"HTTP {answer.StatusCode}{(answer.ErrorCode is null ? string.Empty : $" {answer.ErrorCode}")}");
                    timedOut = false;
                    failure = null;
                }
                catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"no answer within {_attemptTimeout.TotalSeconds:0.#} s");
                    timedOut = true;
                    failure = exception;
                }
                catch (HttpRequestException exception) when (!IsTlsFailure(exception))
                {
                    problem = exception.Message;
                    timedOut = false;
                    failure = exception;
                }
                catch (HttpRequestException exception)
                {
                    // A certificate the machine does not trust will not become trusted on retry.
                    throw new EcrPushException(
                        $"The TLS connection to the {Service.Name} API at {_endpoint.Url} ({_endpoint.SigningRegion}) for {operation} failed: {Messages.Sentence(Messages.Cause(exception))} If a proxy inspects TLS traffic, add its CA certificate to this machine's trust store; certificate checks are never turned off.",
                        exception);
                }
                catch (IOException exception)
                {
                    problem = exception.Message;
                    timedOut = false;
                    failure = exception;
                }
            }

            if (attempt >= _retry.MaxAttempts || !_retry.TryAcquireRetry(timedOut, out var cost))
            {
                if (answer is not null)
                {
                    return answer;
                }

                throw Unreachable(operation, attempt, problem, timedOut, failure!);
            }

            retryCostTaken += cost;
            var wait = _retry.Backoff(attempt);
            _log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{Service.Name} {operation}: attempt {attempt} of {_retry.MaxAttempts} failed ({problem}); retrying in {wait.TotalMilliseconds:0} ms"));
            await _delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<EcrApiResponse> SendOnceAsync(string operation, byte[] body, ImmutableCredentials credentials, int attempt, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-Amz-Target"] = $"{Service.TargetPrefix}.{operation}",
            ["Content-Type"] = ContentType,
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = JsonContentType;
        foreach (var header in _signer.Sign(_endpoint.Url, headers, body, credentials, _time.GetUtcNow()))
        {
            if (string.Equals(header.Key, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        request.Headers.TryAddWithoutValidation("User-Agent", EcrUserAgent.Value);
        request.Headers.TryAddWithoutValidation("amz-sdk-request", string.Create(CultureInfo.InvariantCulture, $"attempt={attempt}; max={_retry.MaxAttempts}"));

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return new EcrApiResponse(status, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, content, null, null, null, attempt);
        }

        var errorType = response.Headers.TryGetValues(AwsErrorParser.ErrorTypeHeader, out var values) ? values.FirstOrDefault() : null;
        var (code, message) = AwsErrorParser.Parse(errorType, content);
        var snippet = code is null ? AwsErrorParser.Snippet(content, [credentials.SecretKey, credentials.Token]) : null;
        return new EcrApiResponse(status, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, content, code, message, snippet, attempt);
    }

    private EcrPushException Unreachable(string operation, int attempts, string problem, bool timedOut, Exception failure)
    {
        var tries = attempts == 1 ? "1 attempt" : string.Create(CultureInfo.InvariantCulture, $"{attempts} attempts");
        var what = timedOut
            ? string.Create(CultureInfo.InvariantCulture, $"got no answer within {_attemptTimeout.TotalSeconds:0.#} s ({tries})")
            : $"could not be reached ({tries}): {problem}";
        return new EcrPushException(
            $"The {Service.Name} API at {_endpoint.Url} ({_endpoint.SigningRegion}, {_endpoint.Source}) {what}, calling {operation}. Check the network, DNS and proxy (the Proxy setting, or HTTPS_PROXY / NO_PROXY), and that the endpoint is right.",
            failure);
    }

    private static bool IsTlsFailure(HttpRequestException exception)
        => exception.HttpRequestError == HttpRequestError.SecureConnectionError || exception.InnerException is AuthenticationException;

}

/// <summary>
/// One of the two JSON 1.1 APIs a push calls, with what tells them apart on the wire: ECR's (private registries) and ECR
/// Public's (ecr-public service model: target prefix SpencerFrontendService, signing name ecr-public).
/// </summary>
internal sealed record EcrApiService(string Name, string TargetPrefix, string SigningName)
{
    public static EcrApiService Private { get; } = new("ECR", EcrApiTransport.TargetPrefix, "ecr");

    public static EcrApiService Public { get; } = new("ECR Public", "SpencerFrontendService", "ecr-public");

    /// <summary>The IAM action an operation needs: <c>ecr:PutImage</c>, <c>ecr-public:CreateRepository</c>.</summary>
    public string IamAction(string operation) => $"{SigningName}:{operation}";
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ecr.Internal.Aws.Runtime;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// One call of a JSON 1.1 API over its transport, for both ECR clients (private and public): the request serialized,
/// an error answer turned into the push's exception unless the caller expects that code, and a 2xx body read into its
/// shape, or a message when something other than the API answered.
/// </summary>
internal sealed class EcrApiCalls(EcrApiTransport transport)
{
    public EcrEndpoint Endpoint => transport.Endpoint;

    /// <summary>For messages: the signing region and the endpoint.</summary>
    public string Where => $"{Endpoint.SigningRegion}, {Endpoint.Url}";

    public async Task<EcrApiResponse> CallAsync<TRequest>(string operation, TRequest request, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken, params string[] expectedErrors)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var response = await transport.SendAsync(operation, body, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccess || (response.ErrorCode is { } code && expectedErrors.Contains(code, StringComparer.Ordinal)))
        {
            return response;
        }

        throw EcrErrors.ToException(operation, Endpoint, transport.CredentialSource, response, transport.Service);
    }

    public T Read<T>(string operation, EcrApiResponse response, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(response);

        // A 2xx that is not the API's JSON (a captive portal, a proxy's page) must give a message, not a parse crash.
        if (AwsErrorParser.LooksLikeJson(response.Body))
        {
            try
            {
                if (JsonSerializer.Deserialize(response.Body, type) is { } result)
                {
                    return result;
                }
            }
            catch (JsonException)
            {
                // Reported below without the body: GetAuthorizationToken's carries a token.
            }
        }

        var name = transport.Service.Name;
        throw new EcrPushException($"{name} {operation} ({Where}) answered HTTP {response.StatusCode} with a body that is not {name}'s JSON ({response.ContentType ?? "no content type"}). Something other than {name} probably answered: check the endpoint (from {Endpoint.Source}) and the proxy settings.");
    }
}

using System.Text.Json.Serialization;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Source-generated (de)serialization of ECR Public's own shapes (EcrPublicWireModels.cs), with the options of
/// <see cref="EcrJsonContext"/>; the shapes ECR Public shares with ECR (DescribeRepositories, SetRepositoryPolicy) are that context's.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(PublicGetAuthorizationTokenRequest))]
[JsonSerializable(typeof(PublicGetAuthorizationTokenResponse))]
[JsonSerializable(typeof(DescribeRegistriesRequest))]
[JsonSerializable(typeof(DescribeRegistriesResponse))]
[JsonSerializable(typeof(PublicCreateRepositoryRequest))]
internal sealed partial class EcrPublicJsonContext : JsonSerializerContext;

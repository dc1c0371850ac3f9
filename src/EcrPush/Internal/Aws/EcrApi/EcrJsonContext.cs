using System.Text.Json.Serialization;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Source-generated (de)serialization of the ECR and ECR Public wire shapes, in one context so that their options are
/// written once: no reflection at start-up, and trimming-safe.
/// Members are camelCase as in the service model; unset members are not sent, which is how JSON 1.1 leaves
/// an optional member out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(GetAuthorizationTokenRequest))]
[JsonSerializable(typeof(GetAuthorizationTokenResponse))]
[JsonSerializable(typeof(DescribeRepositoriesRequest))]
[JsonSerializable(typeof(DescribeRepositoriesResponse))]
[JsonSerializable(typeof(CreateRepositoryRequest))]
[JsonSerializable(typeof(CreateRepositoryResponse))]
[JsonSerializable(typeof(PutLifecyclePolicyRequest))]
[JsonSerializable(typeof(SetRepositoryPolicyRequest))]
[JsonSerializable(typeof(BatchGetImageRequest))]
[JsonSerializable(typeof(BatchGetImageResponse))]
[JsonSerializable(typeof(PutImageRequest))]
[JsonSerializable(typeof(GetSigningConfigurationRequest))]
[JsonSerializable(typeof(GetSigningConfigurationResponse))]
[JsonSerializable(typeof(DescribeImageSigningStatusRequest))]
[JsonSerializable(typeof(DescribeImageSigningStatusResponse))]
[JsonSerializable(typeof(AwsErrorBody))]
[JsonSerializable(typeof(PublicGetAuthorizationTokenRequest))]
[JsonSerializable(typeof(PublicGetAuthorizationTokenResponse))]
[JsonSerializable(typeof(DescribeRegistriesRequest))]
[JsonSerializable(typeof(DescribeRegistriesResponse))]
[JsonSerializable(typeof(PublicCreateRepositoryRequest))]
[JsonSerializable(typeof(DescribeRepositoryCreationTemplatesRequest))]
[JsonSerializable(typeof(DescribeRepositoryCreationTemplatesResponse))]
[JsonSerializable(typeof(DescribeImagesRequest))]
[JsonSerializable(typeof(DescribeImagesResponse))]
internal sealed partial class EcrJsonContext : JsonSerializerContext;

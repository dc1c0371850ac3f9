using System.Text.Json.Serialization;

namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Source-generated (de)serialization of the shapes of creation templates and image status (EcrWireModels.Templates.cs),
/// with the options of <see cref="EcrJsonContext"/>: a context of their own, as a generated context is one declaration.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DescribeRepositoryCreationTemplatesRequest))]
[JsonSerializable(typeof(DescribeRepositoryCreationTemplatesResponse))]
[JsonSerializable(typeof(DescribeImagesRequest))]
[JsonSerializable(typeof(DescribeImagesResponse))]
internal sealed partial class EcrTemplatesJsonContext : JsonSerializerContext;

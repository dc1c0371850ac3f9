using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecr.Internal.Images;

/// <summary>The platform of an index entry, as every source and the result name it.</summary>
internal static class Platform
{
    /// <summary>What an entry without a platform is: BuildKit's attestation manifests, say.</summary>
    public const string Unknown = "unknown/unknown";

    /// <summary><c>os/architecture[/variant]</c>; a missing part is <c>unknown</c>, a missing platform <see cref="Unknown"/>.</summary>
    public static string Of(JsonElement descriptor)
    {
        if (descriptor.ValueKind != JsonValueKind.Object || !descriptor.TryGetProperty("platform", out var platform) || platform.ValueKind != JsonValueKind.Object)
        {
            return Unknown;
        }

        var os = ManifestJson.String(platform, "os") ?? "unknown";
        var architecture = ManifestJson.String(platform, "architecture") ?? "unknown";
        return ManifestJson.String(platform, "variant") is { Length: > 0 } variant ? $"{os}/{architecture}/{variant}" : $"{os}/{architecture}";
    }
}

/// <summary>Reading the parts of manifests and indexes every source needs, and writing the JSON EcrPush makes itself.</summary>
internal static class ManifestJson
{
    // Manifests are read by people (crane manifest, grep) and by other tools: write "+json", not "\u002Bjson", as every
    // other tool does. Nothing here ends up in HTML, which is what the default encoder guards against.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The object as UTF-8 JSON, compact, with <c>schemaVersion</c> and <c>mediaType</c> first as registries and tools write them.</summary>
    public static byte[] Write(JsonObject node, string? mediaType = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ordered = new JsonObject();
        if (node["schemaVersion"] is not null || mediaType is not null)
        {
            ordered["schemaVersion"] = node["schemaVersion"]?.DeepClone() ?? 2;
        }

        if ((mediaType ?? String(node, "mediaType")) is { } type)
        {
            ordered["mediaType"] = type;
        }

        foreach (var (key, value) in node)
        {
            if (key is not "schemaVersion" and not "mediaType")
            {
                ordered[key] = value?.DeepClone();
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            ordered.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>The platforms of an index's entries, in its order, with their digests; empty for a single image or bytes that are not JSON.</summary>
    public static IReadOnlyList<EcrPushedPlatform> PlatformsOf(byte[] manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            return [.. Array(document.RootElement, "manifests").Select(entry => new EcrPushedPlatform(Platform.Of(entry), String(entry, "digest") ?? string.Empty))];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>A property's string value; null when it is missing or not a string.</summary>
    public static string? String(JsonElement json, string property)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string? String(JsonObject json, string property)
        => json.TryGetPropertyValue(property, out var value) && value is JsonValue text && text.TryGetValue<string>(out var result) ? result : null;

    /// <summary>The objects of an array property; empty when it is missing or not an array.</summary>
    public static IReadOnlyList<JsonElement> Array(JsonElement json, string property)
        => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray()]
            : [];

    public static string? Annotation(JsonElement descriptor, string name)
        => descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("annotations", out var annotations) ? String(annotations, name) : null;

    /// <summary>
    /// A manifest's <c>subject</c> (OCI image spec 1.1): the manifest it refers to, with its media type, digest and size;
    /// null when it has none, or one without a media type, a sha256 digest or a size.
    /// </summary>
    public static Descriptor? SubjectOf(JsonElement manifest)
        => manifest.ValueKind == JsonValueKind.Object && manifest.TryGetProperty("subject", out var subject) && Descriptor(subject) is { MediaType.Length: > 0 } descriptor
            ? descriptor
            : null;

    /// <summary>A descriptor's media type, digest and size; null when a part is missing or the digest is not sha256.</summary>
    public static Descriptor? Descriptor(JsonElement json)
        => String(json, "digest") is { } digest && Names.Digest().IsMatch(digest)
            && json.TryGetProperty("size", out var size) && size.TryGetInt64(out var length) && length >= 0
                ? new Descriptor(String(json, "mediaType") ?? string.Empty, digest, length)
                : null;
}

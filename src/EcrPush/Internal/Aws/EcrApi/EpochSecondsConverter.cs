using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;


namespace Ecr.Internal.Aws.EcrApi;

/// <summary>
/// Reads a JSON 1.1 timestamp: epoch seconds as a number, possibly fractional. Emulators are not always exact,
/// so a numeric string or an ISO 8601 string is accepted too; any value is kept as given, even one in the past.
/// </summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return FromSeconds(reader.GetDouble());
            case JsonTokenType.String:
                var text = reader.GetString();
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                {
                    return FromSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                {
                    return date;
                }

                throw new JsonException($"'{text}' is not a timestamp.");
            default:
                throw new JsonException($"A timestamp cannot be a JSON {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } date)
        {
            writer.WriteNumberValue(date.ToUnixTimeMilliseconds() / 1000.0);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static DateTimeOffset FromSeconds(double seconds)
    {
        // Outside DateTimeOffset's range is not a timestamp ECR sends; refuse it as malformed rather than overflow.
        if (double.IsNaN(seconds) || seconds < -62135596800 || seconds > 253402300799)
        {
            throw new JsonException($"{seconds.ToString(CultureInfo.InvariantCulture)} is out of range for a timestamp.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
    }
}

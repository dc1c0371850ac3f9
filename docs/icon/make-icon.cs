// Draws the packages' icon, src/icon.png: `dotnet run docs/icon/make-icon.cs` from the repository root.
// A rounded square in ECR's orange with a white arrow pointing up into an open box (an image pushed to a registry),
// 128 x 128, each pixel the average of 4 x 4 samples so that the edges are smooth. PNG written by hand (RGBA, one
// IDAT), because this machine has no image library; the CRC-32 of each chunk comes from System.IO.Hashing.
#:property ManagePackageVersionsCentrally=false
#:package System.IO.Hashing@11.0.0

using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

const int Size = 128;
const int Samples = 4;

var pixels = new byte[Size * (1 + (Size * 4))];
for (var y = 0; y < Size; y++)
{
    var row = y * (1 + (Size * 4));
    pixels[row] = 0; // filter: none
    for (var x = 0; x < Size; x++)
    {
        double inside = 0, white = 0;
        for (var sy = 0; sy < Samples; sy++)
        {
            for (var sx = 0; sx < Samples; sx++)
            {
                var px = x + ((sx + 0.5) / Samples);
                var py = y + ((sy + 0.5) / Samples);
                if (!InRoundedSquare(px, py))
                {
                    continue;
                }

                inside++;
                if (InArrow(px, py) || InBox(px, py))
                {
                    white++;
                }
            }
        }

        var total = Samples * Samples;
        var alpha = inside / total;
        var whiteShare = inside == 0 ? 0 : white / inside;
        var offset = row + 1 + (x * 4);
        pixels[offset] = Blend(0xF5, 0xFF, whiteShare);
        pixels[offset + 1] = Blend(0x8A, 0xFF, whiteShare);
        pixels[offset + 2] = Blend(0x00, 0xFF, whiteShare);
        pixels[offset + 3] = (byte)Math.Round(alpha * 255);
    }
}

using var png = File.Create(Path.Combine("src", "icon.png"));
png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
var header = new byte[13];
BinaryPrimitives.WriteInt32BigEndian(header, Size);
BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Size);
header[8] = 8;  // bits per channel
header[9] = 6;  // RGBA
Chunk(png, "IHDR", header);
using (var compressed = new MemoryStream())
{
    using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
    {
        zlib.Write(pixels);
    }

    Chunk(png, "IDAT", compressed.ToArray());
}

Chunk(png, "IEND", []);
Console.WriteLine($"src/icon.png: {png.Length} bytes");

static bool InRoundedSquare(double x, double y)
{
    const double margin = 4, radius = 22;
    var cx = Math.Clamp(x, margin + radius, Size - margin - radius);
    var cy = Math.Clamp(y, margin + radius, Size - margin - radius);
    return ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= radius * radius
        && x >= margin && x <= Size - margin && y >= margin && y <= Size - margin;
}

// The arrow: a shaft and a triangular head, pointing up.
static bool InArrow(double x, double y)
{
    var shaft = x >= 55 && x <= 73 && y >= 44 && y <= 86;
    var head = y >= 18 && y <= 48 && Math.Abs(x - 64) <= (y - 18) * 0.95;
    return shaft || head;
}

// The box the arrow leaves: a U open at the top.
static bool InBox(double x, double y)
{
    var bottom = x >= 26 && x <= 102 && y >= 96 && y <= 108;
    var left = x >= 26 && x <= 38 && y >= 66 && y <= 108;
    var right = x >= 90 && x <= 102 && y >= 66 && y <= 108;
    return bottom || left || right;
}

static byte Blend(int from, int to, double share) => (byte)Math.Round(from + ((to - from) * share));

static void Chunk(Stream stream, string type, byte[] data)
{
    Span<byte> length = stackalloc byte[4];
    BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
    stream.Write(length);
    var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
    stream.Write(typeBytes);
    stream.Write(data);
    var crc = new Crc32();
    crc.Append(typeBytes);
    crc.Append(data);
    Span<byte> sum = stackalloc byte[4];
    BinaryPrimitives.WriteUInt32BigEndian(sum, crc.GetCurrentHashAsUInt32());
    stream.Write(sum);
}

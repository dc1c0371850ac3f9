using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Ecr.PackageTests;

/// <summary>
/// What a package page, a user's restore and a debugger get from each package: metadata, readme, license, icon,
/// repository, dependencies, symbols with the sources inside, a deterministic build, and the library's ReadyToRun image.
/// </summary>
[Collection(PackedRepositoryCollectionDefinition.Name)]
public sealed class PackageContentsTests(PackedRepository packed, ITestOutputHelper output)
{
    // The PDB records (Portable PDB specification): a source file embedded whole, and the SourceLink document map.
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
    private static readonly Guid SourceLink = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private static readonly string[] Ids = ["EcrPush", "Cake.EcrPush"];

    // A package's description names every source kind, not "a local Docker image" only.
    private static readonly string[] SourceKinds = ["Docker engine", "OCI layout", "image archive", "already in ECR"];

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static TheoryData<string> Packages => new(Ids);

    [Fact]
    public void Both_packages_are_made_at_the_tags_version_with_their_symbols_and_no_warning()
    {
        output.WriteLine(packed.Preparation);
        Assert.All(Ids, id =>
        {
            Assert.True(File.Exists(packed.Package(id)), $"{packed.Package(id)} is missing; the feed has {string.Join(", ", Directory.GetFiles(packed.Feed).Select(Path.GetFileName))}");
            Assert.True(File.Exists(packed.Package(id, "snupkg")), $"{packed.Package(id, "snupkg")} is missing");
        });
        var warnings = packed.PackOutput.Split('\n').Where(line => line.Contains(": warning ", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(warnings.Count == 0, "The packs warned:\n" + string.Join('\n', warnings));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_nuspec_has_the_readme_license_icon_repository_description_and_tags_and_the_files_are_inside(string id)
    {
        using var package = ZipFile.OpenRead(packed.Package(id));
        var metadata = Nuspec(package, id);
        string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

        Assert.Equal(PackedRepository.Version, Field("version"));
        Assert.Equal("PACKAGE.md", Field("readme"));
        var readme = Text(package, "PACKAGE.md");
        Assert.StartsWith($"# {id}\n", readme, StringComparison.Ordinal);
        Assert.Contains("```csharp", readme, StringComparison.Ordinal);

        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "Apache-2.0"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal(File.ReadAllText(Path.Combine(PackedRepository.Clone, "LICENSE")), Text(package, "LICENSE"));
        Assert.Contains("Apache License", Text(package, "LICENSE"), StringComparison.Ordinal);

        Assert.Equal("icon.png", Field("icon"));
        var icon = Bytes(package, "icon.png");
        Assert.Equal(PngSignature, icon[..8]);
        Assert.Equal((128, 128), (BigEndian(icon, 16), BigEndian(icon, 20)));

        var description = Field("description");
        Assert.All(SourceKinds, source => Assert.Contains(source, description, StringComparison.Ordinal));
        Assert.Contains("ecr", Field("tags").Split(' '));
        Assert.Contains("EcrPush contributors", Field("authors"), StringComparison.Ordinal);

        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal(("git", PackedRepository.RemoteUrl, packed.Commit), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url"), (string?)repository.Attribute("commit")));
    }

    [Fact]
    public void The_addin_depends_on_the_library_at_the_same_version()
    {
        using var package = ZipFile.OpenRead(packed.Package("Cake.EcrPush"));
        var dependency = Nuspec(package, "Cake.EcrPush").Descendants().Single(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "EcrPush");
        Assert.Equal(PackedRepository.Version, (string?)dependency.Attribute("version"));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Each_assembly_is_deterministic_and_has_a_portable_pdb_in_the_symbols_package_with_every_source_embedded_and_linked(string id)
    {
        using var package = ZipFile.OpenRead(packed.Package(id));
        using var symbols = ZipFile.OpenRead(packed.Package(id, "snupkg"));
        var assemblies = package.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)).ToList();
        Assert.Equal(id == "EcrPush" ? ["lib/net10.0/EcrPush.dll", "lib/net8.0/EcrPush.dll"] : ["lib/net10.0/Cake.EcrPush.dll"], assemblies.Select(e => e.FullName).Order(StringComparer.Ordinal));

        foreach (var assembly in assemblies)
        {
            using var pe = new PEReader(new MemoryStream(Bytes(assembly)));
            var debug = pe.ReadDebugDirectory();
            Assert.Contains(debug, entry => entry.Type == DebugDirectoryEntryType.Reproducible);
            Assert.DoesNotContain(debug, entry => entry.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
            var codeView = pe.ReadCodeViewDebugDirectoryData(debug.Single(entry => entry.Type == DebugDirectoryEntryType.CodeView));
            Assert.StartsWith("/_/", codeView.Path.Replace('\\', '/'), StringComparison.Ordinal);

            var pdbEntry = symbols.GetEntry(Path.ChangeExtension(assembly.FullName, ".pdb"));
            Assert.True(pdbEntry is not null, $"{Path.ChangeExtension(assembly.FullName, ".pdb")} is not in the symbols package");
            using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(Bytes(pdbEntry)));
            var pdb = provider.GetMetadataReader();
            Assert.Equal(codeView.Guid, new BlobContentId(pdb.DebugMetadataHeader!.Id).Guid);

            // Every C# document of the project has its text inside, under the CI build's /_/ path.
            var documents = pdb.Documents.Select(handle => (Handle: handle, Name: pdb.GetString(pdb.GetDocument(handle).Name))).ToList();
            var sources = documents.Where(d => d.Name.EndsWith(".cs", StringComparison.Ordinal)).ToList();
            Assert.Contains(sources, d => d.Name.StartsWith($"/_/src/{id}/", StringComparison.Ordinal));
            Assert.All(sources, d =>
            {
                Assert.StartsWith("/_/", d.Name, StringComparison.Ordinal);
                Assert.True(
                    pdb.GetCustomDebugInformation(d.Handle).Any(h => pdb.GetGuid(pdb.GetCustomDebugInformation(h).Kind) == EmbeddedSource),
                    $"{assembly.FullName}: {d.Name} is not embedded");
            });

            // SourceLink: the repository's files at the packed commit on GitHub.
            var link = pdb.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
                .Select(pdb.GetCustomDebugInformation).Single(info => pdb.GetGuid(info.Kind) == SourceLink);
            using var json = JsonDocument.Parse(pdb.GetBlobBytes(link.Value));
            var map = json.RootElement.GetProperty("documents").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal);
            Assert.Equal($"https://raw.githubusercontent.com/ecrpush/EcrPush/{packed.Commit}/*", map["/_/*"]);
        }
    }

    [Fact]
    public void The_library_carries_a_ReadyToRun_image_for_linux_x64_of_the_very_assembly_in_lib()
    {
        using var package = ZipFile.OpenRead(packed.Package("EcrPush"));
        using var il = new PEReader(new MemoryStream(Bytes(package.GetEntry("lib/net10.0/EcrPush.dll")!)));
        var image = package.GetEntry("runtimes/linux-x64/lib/net10.0/EcrPush.dll");
        Assert.NotNull(image);
        using var readyToRun = new PEReader(new MemoryStream(Bytes(image)));

        Assert.True(readyToRun.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "the image has no ReadyToRun header");
        Assert.Equal(0, il.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size);
        Guid Mvid(PEReader reader)
        {
            var metadata = reader.GetMetadataReader();
            return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
        }

        Assert.Equal(Mvid(il), Mvid(readyToRun));
    }

    [Fact]
    public void The_assemblies_say_the_version_and_the_commit()
    {
        using var package = ZipFile.OpenRead(packed.Package("EcrPush"));
        using var pe = new PEReader(new MemoryStream(Bytes(package.GetEntry("lib/net10.0/EcrPush.dll")!)));
        var metadata = pe.GetMetadataReader();
        var informational = metadata.CustomAttributes.Select(metadata.GetCustomAttribute)
            .Where(a => a.Constructor.Kind == HandleKind.MemberReference
                && metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)metadata.GetMemberReference((MemberReferenceHandle)a.Constructor).Parent).Name) == "AssemblyInformationalVersionAttribute")
            .Select(a => a.DecodeValue(new StringOnly()).FixedArguments[0].Value as string)
            .Single();

        Assert.Equal($"{PackedRepository.Version}+{packed.Commit}", informational);
        Assert.Equal(new Version(1, 0, 0, 0), metadata.GetAssemblyDefinition().Version);
    }

    // Loaded from the bytes: NuGet writes the nuspec with a byte order mark.
    private static XElement Nuspec(ZipArchive package, string id)
        => XDocument.Load(new MemoryStream(Bytes(package, id + ".nuspec"))).Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    private static string Text(ZipArchive package, string name) => Encoding.UTF8.GetString(Bytes(package, name));

    private static byte[] Bytes(ZipArchive package, string name) => Bytes(package.GetEntry(name) ?? throw new InvalidOperationException($"{name} is not in the package"));

    private static byte[] Bytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static int BigEndian(byte[] bytes, int offset) => (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];

    // Enough of a signature decoder for an attribute whose one argument is a string.
    private sealed class StringOnly : ICustomAttributeTypeProvider<Type>
    {
        public Type GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode == PrimitiveTypeCode.String ? typeof(string) : typeof(object);

        public Type GetSystemType() => typeof(Type);

        public Type GetSZArrayType(Type elementType) => elementType.MakeArrayType();

        public Type GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => typeof(object);

        public Type GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => typeof(object);

        public Type GetTypeFromSerializedName(string name) => typeof(object);

        public PrimitiveTypeCode GetUnderlyingEnumType(Type type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(Type type) => type == typeof(Type);
    }
}

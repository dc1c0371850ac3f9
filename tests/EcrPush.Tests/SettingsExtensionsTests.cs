using System.Reflection;

namespace Ecr.Tests;

public sealed class SettingsExtensionsTests
{
    [Fact]
    public void Fluent_methods_return_new_settings_and_leave_the_original_unchanged()
    {
        var original = new EcrPushSettings().SetRepositoryName("a/b");

        var changed = original.SetRepositoryName("c/d").EnableAutoCreateRepository().SetTargetTags("1");

        Assert.Equal("a/b", original.RepositoryName);
        Assert.False(original.AutoCreateRepository);
        Assert.Empty(original.TargetTags);
        Assert.Equal("c/d", changed.RepositoryName);
        Assert.True(changed.AutoCreateRepository);
    }

    [Fact]
    public void Tag_lists_are_set_added_removed_and_cleared_keeping_order_and_duplicates()
    {
        var settings = new EcrPushSettings().SetTargetTags("1", "2").AddTargetTags("3", "2").AddTargetTags(["4"]);
        Assert.Equal(["1", "2", "3", "2", "4"], settings.TargetTags);

        Assert.Equal(["1", "3", "4"], settings.RemoveTargetTags("2").TargetTags);
        Assert.Empty(settings.ClearTargetTags().TargetTags);
        Assert.Empty(settings.ResetTargetTags().TargetTags);
        Assert.Equal(["x"], settings.SetTargetTags(new List<string> { "x" }).TargetTags);
    }

    [Fact]
    public void Enable_disable_toggle_and_reset()
    {
        var settings = new EcrPushSettings();

        Assert.True(settings.EnableAutoCreateRepository().AutoCreateRepository);
        Assert.False(settings.EnableAutoCreateRepository().DisableAutoCreateRepository().AutoCreateRepository);
        Assert.True(settings.ToggleAutoCreateRepository().AutoCreateRepository);
        Assert.False(settings.EnableAutoCreateRepository().ResetAutoCreateRepository().AutoCreateRepository);
        Assert.True(settings.ToggleUseFipsEndpoint().UseFipsEndpoint);
        Assert.Null(settings.EnableUseDualStackEndpoint().ResetUseDualStackEndpoint().UseDualStackEndpoint);
        Assert.Null(settings.SetRegion("us-east-1").ResetRegion().Region);
        Assert.Null(settings.SetImageIdentity(ImageIdentity.ImageId).ResetImageIdentity().ImageIdentity);
        Assert.False(settings.ToggleIncludeAttestations().IncludeAttestations);
        Assert.True(settings.DisableIncludeAttestations().ResetIncludeAttestations().IncludeAttestations);
        Assert.False(settings.EnableRequireDockerTls().ResetRequireDockerTls().RequireDockerTls);
    }

    [Fact]
    public void Object_initializer_and_fluent_methods_agree()
    {
        var fluent = new EcrPushSettings().SetRegion("eu-west-1").SetSourceImageName("web").SetRepositoryName("team/web").SetTargetTags("1", "latest").AddRepositoryTag("team", "web");
        var initialized = new EcrPushSettings { Region = "eu-west-1", SourceImageName = "web", RepositoryName = "team/web", TargetTags = ["1", "latest"], RepositoryTags = new Dictionary<string, string> { ["team"] = "web" } };

        // Property by property, lists and dictionaries by their contents.
        Assert.Equivalent(initialized, fluent, strict: true);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Assert.Equivalent(initialized, fluent.SetTargetTags("1"), strict: true));
    }

    [Fact]
    public void ToString_names_every_setting_and_prints_no_proxy_password_or_policy_text()
    {
        var settings = new EcrPushSettings()
            .SetProxy("http://proxy-user:pr0xy-pass@proxy:3128")
            .SetLifecyclePolicy("{\"rules\":[]}")
            .AddRepositoryTag("team", "web");
        var text = settings.ToString();

        foreach (var property in typeof(EcrPushSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
        {
            Assert.Contains($" {property.Name} = ", " " + text.Replace("{ ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.Contains("Proxy = http://***@proxy:3128", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pass", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pass", settings.SetProxy("proxy-user:pr0xy-pass@proxy:3128").ToString(), StringComparison.Ordinal);
        Assert.Contains("LifecyclePolicy = (12 characters)", text, StringComparison.Ordinal);
        Assert.Contains("RepositoryTags = [team=web]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_hides_secrets_and_the_result_prints_its_reference()
    {
        var settings = new EcrPushSettings().SetAwsAccessKeyId("AKIAIOSFODNN7EXAMPLE").SetAwsSecretAccessKey("s3cr3t-value").SetAwsSessionToken("t0k3n-value");

        Assert.Contains("AKIAIOSFODNN7EXAMPLE", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("t0k3n-value", settings.ToString(), StringComparison.Ordinal);

        var result = new EcrPushResult([
            new EcrPushedImage { ImageReferences = ["h/r:1", "h/r:2"], Digest = "sha256:00", RepositoryUri = "h/r", RegistryId = "123456789012", Region = "us-east-1", RepositoryCreated = false },
            new EcrPushedImage { ImageReferences = ["g/r:1", "g/r:2"], Digest = "sha256:00", RepositoryUri = "g/r", RegistryId = "123456789012", Region = "eu-west-1", RepositoryCreated = true },
        ]);
        Assert.Equal("h/r:1", result.ToString());
        Assert.Equal("h/r@sha256:00", result.DigestReference);
        Assert.Equal("us-east-1", result.FirstDestination.Region);
        Assert.Equal(["h/r:1", "h/r:2", "g/r:1", "g/r:2"], result.AllImageReferences);
    }

    [Fact]
    public void Platforms_are_set_added_removed_and_cleared_as_the_tags_are()
    {
        var settings = new EcrPushSettings().SetPlatforms(new List<string> { "linux/amd64" }).AddPlatforms("linux/arm64/v8").AddPlatforms(["linux/arm/v7"]);
        Assert.Equal(["linux/amd64", "linux/arm64/v8", "linux/arm/v7"], settings.Platforms);

        Assert.Equal(["linux/amd64", "linux/arm/v7"], settings.RemovePlatforms("linux/arm64/v8").Platforms);
        Assert.Empty(settings.ClearPlatforms().Platforms);
    }

    [Fact]
    public void Repository_tags_are_set_one_by_one_and_Add_refuses_a_key_that_is_there_as_Nukes_Add_does()
    {
        var settings = new EcrPushSettings().AddRepositoryTag("team", "web").SetRepositoryTag("team", "api").SetRepositoryTag("env", "prod");
        Assert.Equal(new Dictionary<string, string> { ["team"] = "api", ["env"] = "prod" }, settings.RepositoryTags);

        var exception = Assert.Throws<EcrPushException>(() => settings.AddRepositoryTag("team", "db"));

        Assert.Equal("AddRepositoryTag(\"team\", …): RepositoryTags has the key 'team' already (with the value 'api'). Replace its value with SetRepositoryTag, or remove it first with RemoveRepositoryTag.", exception.Message);
    }

    /// <summary>
    /// Nuke's generated tool settings have, for each property, the methods its type calls for; these are written by
    /// hand (EcrPushSettingsExtensions says why), so this holds them whole: a new setting without its methods, or a
    /// method whose documentation is not its setting's, fails here.
    /// </summary>
    [Fact]
    public void Every_setting_has_the_fluent_methods_its_type_calls_for_each_documented_by_its_setting()
    {
        var documentation = System.Xml.Linq.XDocument.Load(Path.ChangeExtension(typeof(EcrPushSettings).Assembly.Location, ".xml"));
        var members = documentation.Descendants("member").ToDictionary(m => (string)m.Attribute("name")!, StringComparer.Ordinal);
        var methods = typeof(EcrPushSettingsExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(EcrPushSettings) && m.GetParameters().FirstOrDefault()?.ParameterType == typeof(EcrPushSettings))
            .ToList();
        var missing = new List<string>();
        var undocumented = new List<string>();
        var covered = new HashSet<MethodInfo>();

        foreach (var property in typeof(EcrPushSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
        {
            Assert.False(string.IsNullOrWhiteSpace(members[$"P:Ecr.EcrPushSettings.{property.Name}"].Element("summary")?.Value), $"{property.Name} has no description");
            foreach (var (name, parameters) in Expected(property))
            {
                var method = methods.SingleOrDefault(m => m.Name == name && m.GetParameters().Skip(1).Select(p => p.ParameterType).SequenceEqual(parameters.Select(p => p.Type))
                    && m.GetParameters().Skip(1).Select(p => p.IsDefined(typeof(ParamArrayAttribute))).SequenceEqual(parameters.Select(p => p.Params)));
                var signature = $"{name}({string.Join(", ", parameters.Select(p => (p.Params ? "params " : string.Empty) + p.Type.Name))})";
                if (method is null)
                {
                    missing.Add(signature);
                    continue;
                }

                covered.Add(method);
                var member = members.GetValueOrDefault($"M:Ecr.EcrPushSettingsExtensions.{method.Name}({string.Join(",", method.GetParameters().Select(p => XmlDocName(p.ParameterType)))})");
                if (member?.Element("inheritdoc")?.Attribute("cref")?.Value != $"P:Ecr.EcrPushSettings.{property.Name}" || member.Element("summary") is not null)
                {
                    undocumented.Add(signature);
                }

            }
        }

        Assert.Empty(missing);
        Assert.Empty(undocumented);

        // And no method beyond the sets, but the two Nuke idioms.
        Assert.Equal(["When"], methods.Except(covered).Select(m => m.Name));
    }

    [Fact]
    public void Reset_gives_each_setting_its_default_and_a_switch_turns_on_off_and_over()
    {
        var defaults = new EcrPushSettings();
        foreach (var property in typeof(EcrPushSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
        {
            EcrPushSettings Call(string verb, EcrPushSettings settings) => (EcrPushSettings)typeof(EcrPushSettingsExtensions).GetMethod(verb + property.Name, [typeof(EcrPushSettings)])!.Invoke(null, [settings])!;
            var changed = property.PropertyType == typeof(bool) || property.PropertyType == typeof(bool?) ? Call("Toggle", defaults) : defaults;
            Assert.Equivalent(property.GetValue(defaults), property.GetValue(Call("Reset", changed)), strict: true);
            if (property.PropertyType == typeof(bool) || property.PropertyType == typeof(bool?))
            {
                Assert.Equal(true, property.GetValue(Call("Enable", defaults)));
                Assert.Equal(false, property.GetValue(Call("Disable", defaults)));
                Assert.NotEqual(property.GetValue(defaults) is true, property.GetValue(changed) is true);
            }
        }
    }

    private static IEnumerable<(string Name, (Type Type, bool Params)[] Parameters)> Expected(PropertyInfo property)
    {
        var name = property.Name;
        var type = property.PropertyType;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var item = type.GetGenericArguments()[0];
            var many = typeof(IEnumerable<>).MakeGenericType(item);
            foreach (var verb in new[] { "Set", "Add", "Remove" })
            {
                yield return (verb + name, [(item.MakeArrayType(), true)]);
                yield return (verb + name, [(many, false)]);
            }

            yield return ("Clear" + name, []);
            yield return ("Reset" + name, []);
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            var (key, value) = (type.GetGenericArguments()[0], type.GetGenericArguments()[1]);
            var one = name.TrimEnd('s');
            yield return ("Set" + name, [(type, false)]);
            yield return ("Set" + one, [(key, false), (value, false)]);
            yield return ("Add" + one, [(key, false), (value, false)]);
            yield return ("Remove" + one, [(key, false)]);
            yield return ("Clear" + name, []);
            yield return ("Reset" + name, []);
        }
        else
        {
            yield return ("Set" + name, [(type, false)]);
            yield return ("Reset" + name, []);
            if (type == typeof(bool) || type == typeof(bool?))
            {
                yield return ("Enable" + name, []);
                yield return ("Disable" + name, []);
                yield return ("Toggle" + name, []);
            }
        }
    }

    // A parameter type as the C# compiler writes it in a documentation ID.
    private static string XmlDocName(Type type)
    {
        if (type.IsArray)
        {
            return XmlDocName(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName!;
        }

        var definition = type.GetGenericTypeDefinition().FullName!;
        return $"{definition[..definition.IndexOf('`', StringComparison.Ordinal)]}{{{string.Join(",", type.GetGenericArguments().Select(XmlDocName))}}}";
    }
}

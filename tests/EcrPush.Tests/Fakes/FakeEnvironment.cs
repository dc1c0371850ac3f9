using Ecr.Internal;

namespace Ecr.Tests.Fakes;

/// <summary>An environment described by the test: variables, a home folder and a clock it can move.</summary>
internal sealed class FakeEnvironment(IDictionary<string, string>? variables = null) : IEnvironment
{
    private readonly Dictionary<string, string> _variables = new(variables ?? new Dictionary<string, string>(), StringComparer.Ordinal);

    public DateTimeOffset UtcNow { get; set; } = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public string HomeDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "ecrpush-fake-home-does-not-exist");

    public string? this[string name]
    {
        set
        {
            if (value is null)
            {
                _variables.Remove(name);
            }
            else
            {
                _variables[name] = value;
            }
        }
    }

    public string? GetVariable(string name) => _variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}

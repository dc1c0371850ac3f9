using Ecr.Internal;

namespace Ecr.Tests.Fakes;

/// <summary>An environment described by the test: variables, a home folder and a clock it can move.</summary>
internal sealed class FakeEnvironment(IDictionary<string, string>? variables = null) : IEnvironment
{
    private readonly Dictionary<string, string> _variables = new(variables ?? new Dictionary<string, string>(), StringComparer.Ordinal);

    /// <summary>Starts at 2026-11-27 12:00 UTC and moves only when the test advances it.</summary>
    public ManualTime Time { get; } = new();

    TimeProvider IEnvironment.Time => Time;

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

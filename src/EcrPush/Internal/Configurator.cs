namespace Ecr.Internal;

/// <summary>Runs a face's settings delegate (<c>s =&gt; s.SetX(...)</c>) on default settings.</summary>
internal static class Configurator
{
    public static EcrPushSettings Apply(Func<EcrPushSettings, EcrPushSettings> configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        return configurator(new EcrPushSettings())
            ?? throw new EcrPushException("The settings configurator returned null: return the settings it was given, changed with the Set/Enable/Add methods.");
    }
}

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// The audit runs after every test of the stack collection, in a collection of its own: xunit 2 runs the
/// collections that disable parallelization after all the others have finished, one by one. (A check in the stack
/// fixture's disposal would only show as a cleanup error, and xunit 2 has no order of classes within a collection.)
/// If it ever ran first, it finds no log to read and fails saying so, rather than passing on nothing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecretAuditCollectionDefinition
{
    public const string Name = "Secret audit, after the stack's tests";
}

[Collection(SecretAuditCollectionDefinition.Name)]
public sealed class SecretAuditTests
{
    [Fact]
    public void No_secret_reached_the_verbose_log_of_any_test_in_the_stack_collection()
    {
        var fixture = AuditTrail.Fixture;
        Assert.True(fixture is not null, "The audit found no stack collection's log: it ran before those tests, or they were filtered out.");
        var log = fixture.AllLog;
        Assert.Contains("Pushing ", log, StringComparison.Ordinal);

        // Every secret a test handed to a push (the registry password every push receives, and keys and session
        // tokens set by tests), as is or inside base64: the token, X-Registry-Auth.
        Assert.Empty(SecretScan.Find(log, AuditTrail.KnownSecrets));
    }

    [Fact]
    public void No_docker_config_in_HOME_or_DOCKER_CONFIG_holds_the_registry_password()
    {
        // The process's own HOME and DOCKER_CONFIG, as the collection leaves them; a test's temporary HOME is
        // checked by that test, which then deletes it.
        var places = new[]
        {
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"),
            Environment.GetEnvironmentVariable("DOCKER_CONFIG"),
        };

        foreach (var place in places.OfType<string>())
        {
            Assert.Empty(SecretScan.FindInFiles(place, AuditTrail.KnownSecrets));
        }
    }
}

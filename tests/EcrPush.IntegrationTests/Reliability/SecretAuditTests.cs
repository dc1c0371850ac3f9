using Ecr.TestStack;

namespace Ecr.IntegrationTests.Reliability;

/// <summary>
/// Reads every line logged at Verbose in the stack collection so far for every secret handed to a push, as is and
/// inside base64 (the token, X-Registry-Auth). It does not depend on the order xunit runs tests in: it first makes
/// the log hold what it must check, a push and a failed push with keys and a session token of its own, so it never
/// passes on an empty log; run last, it also covers every other test's lines.
/// </summary>
[Collection(StackCollectionDefinition.Name)]
public sealed class SecretAuditTests(StackFixture fixture)
{
    [Fact]
    public async Task No_secret_reached_the_verbose_log_of_any_push_in_the_stack_collection()
    {
        await fixture.Stack.BuildImageAsync("it-audit:1");
        var repository = StackChecks.NewRepository("audit");
        var settings = new EcrPushSettings()
            .SetAwsAccessKeyId("AKIASECRETAUDITKEY01").SetAwsSecretAccessKey(AuditTrail.AddSecret("secret-audit-secret-access-key-value"))
            .SetAwsSessionToken(AuditTrail.AddSecret("secret-audit-session-token-value"))
            .SetSourceImageName("it-audit:1").SetRepositoryName(repository);

        var own = fixture.Mark();
        var failed = await Assert.ThrowsAsync<EcrPushException>(() => EcrTasks.EcrPushAsync(settings));
        await EcrTasks.EcrPushAsync(settings.EnableAutoCreateRepository());

        Assert.Contains("does not exist", failed.Message, StringComparison.Ordinal);
        Assert.Contains($"Pushing {LocalEcrStack.AccountId}.dkr.ecr.", own.Text, StringComparison.Ordinal);
        Assert.Empty(SecretScan.Find(failed.ToString(), AuditTrail.KnownSecrets));
        Assert.Empty(SecretScan.Find(fixture.AllLog, AuditTrail.KnownSecrets));
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

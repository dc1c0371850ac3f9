using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Aws;

public sealed class AwsRegionResolverTests : IDisposable
{
    private readonly AwsHome _awsHome = new();
    private int _metadataCalls;

    public void Dispose() => _awsHome.Dispose();

    [Fact]
    public async Task The_setting_comes_first()
    {
        var environment = _awsHome.Environment(("AWS_REGION", "eu-west-1"));

        Assert.Equal(("us-gov-west-1", "the Region setting"), await Resolver(environment).ResolveAsync(new AwsOptions { Region = "us-gov-west-1" }, CancellationToken.None));
    }

    [Fact]
    public async Task AWS_REGION_comes_before_AWS_DEFAULT_REGION()
    {
        var environment = _awsHome.Environment(("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "eu-west-2"));

        Assert.Equal(("eu-west-1", "the environment variable AWS_REGION"), await Resolver(environment).ResolveAsync(new AwsOptions(), CancellationToken.None));
    }

    [Fact]
    public async Task AWS_DEFAULT_REGION_is_used_alone()
    {
        var environment = _awsHome.Environment(("AWS_DEFAULT_REGION", "cn-northwest-1"));

        Assert.Equal(("cn-northwest-1", "the environment variable AWS_DEFAULT_REGION"), await Resolver(environment).ResolveAsync(new AwsOptions(), CancellationToken.None));
    }

    [Fact]
    public async Task The_default_profile_gives_the_region()
    {
        _awsHome.WriteAwsFile("config", "[default]\nregion = ap-southeast-2\n");

        var (region, source) = await Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions(), CancellationToken.None);

        Assert.Equal("ap-southeast-2", region);
        Assert.StartsWith("the profile 'default' in ", source, StringComparison.Ordinal);
        Assert.Equal(0, _metadataCalls);
    }

    [Fact]
    public async Task AWS_PROFILE_picks_the_profile()
    {
        _awsHome.WriteAwsFile("config", "[default]\nregion = ap-southeast-2\n\n[profile ci]\nregion = eu-central-1\n");

        var (region, source) = await Resolver(_awsHome.Environment(("AWS_PROFILE", "ci"))).ResolveAsync(new AwsOptions(), CancellationToken.None);

        Assert.Equal("eu-central-1", region);
        Assert.StartsWith("the profile 'ci' in ", source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_profile_setting_wins_over_AWS_PROFILE()
    {
        _awsHome.WriteAwsFile("config", "[profile ci]\nregion = eu-central-1\n\n[profile release]\nregion = us-west-2\n");

        var (region, _) = await Resolver(_awsHome.Environment(("AWS_PROFILE", "ci"))).ResolveAsync(new AwsOptions { Profile = "release" }, CancellationToken.None);

        Assert.Equal("us-west-2", region);
    }

    [Fact]
    public async Task A_missing_profile_from_the_settings_is_reported_as_such()
    {
        _awsHome.WriteAwsFile("config", "[default]\nregion = ap-southeast-2\n");

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions { Profile = "release" }, CancellationToken.None));

        Assert.Contains("The AWS profile 'release' (AwsProfile) was not found", exception.Message, StringComparison.Ordinal);
        Assert.Equal(0, _metadataCalls);
    }

    [Fact]
    public async Task A_profile_without_a_region_falls_through_to_metadata()
    {
        _awsHome.WriteAwsFile("credentials", "[ci]\naws_access_key_id = AKIAX\naws_secret_access_key = y\n");

        var (region, _) = await Resolver(_awsHome.Environment(), metadataRegion: "eu-south-1").ResolveAsync(new AwsOptions { Profile = "ci" }, CancellationToken.None);

        Assert.Equal("eu-south-1", region);
    }

    [Fact]
    public async Task Instance_metadata_is_the_last_resort()
    {
        var (region, source) = await Resolver(_awsHome.Environment(), metadataRegion: "sa-east-1").ResolveAsync(new AwsOptions(), CancellationToken.None);

        Assert.Equal(("sa-east-1", "EC2 instance metadata"), (region, source));
        Assert.Equal(1, _metadataCalls);
    }

    [Fact]
    public async Task Instance_metadata_is_not_asked_when_disabled()
    {
        var environment = _awsHome.Environment(("AWS_EC2_METADATA_DISABLED", "true"));

        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(environment, metadataRegion: "sa-east-1").ResolveAsync(new AwsOptions(), CancellationToken.None));

        Assert.Equal(0, _metadataCalls);
        Assert.Contains("skipped: AWS_EC2_METADATA_DISABLED is true", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_region_says_where_it_looked_and_how_to_set_it()
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(_awsHome.Environment()).ResolveAsync(new AwsOptions(), CancellationToken.None));

        Assert.Contains("the Region setting; the environment variables AWS_REGION and AWS_DEFAULT_REGION; the region of the profile 'default' in ", exception.Message, StringComparison.Ordinal);
        Assert.Contains("EC2 instance metadata", exception.Message, StringComparison.Ordinal);
        Assert.Contains("SetRegion", exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, _metadataCalls);
    }

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("cn-north-1")]
    [InlineData("us-gov-west-1")]
    [InlineData("us-isob-east-1")]
    [InlineData("eusc-de-east-1")]
    [InlineData("ap-southeast-5")]
    public void Region_names_are_recognised(string region) => Assert.True(AwsRegionResolver.IsValidRegion(region));

    [Theory]
    [InlineData("US-EAST-1")]
    [InlineData("us-east1")]
    [InlineData("us_east_1")]
    [InlineData("us-east-1-fips")]
    [InlineData("us-east-1 ")]
    [InlineData("https://us-east-1")]
    public void Other_names_are_not(string region) => Assert.False(AwsRegionResolver.IsValidRegion(region));

    [Fact]
    public async Task A_malformed_region_names_its_source()
    {
        var exception = await Assert.ThrowsAsync<EcrPushException>(() => Resolver(_awsHome.Environment(("AWS_DEFAULT_REGION", "us-east1"))).ResolveAsync(new AwsOptions(), CancellationToken.None));

        Assert.Contains("'us-east1' (from the environment variable AWS_DEFAULT_REGION)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_metadata_lookup_is_bounded()
    {
        // The real lookup: off EC2 it fails fast or is cut at its budget; on EC2 it answers quickly.
        var resolver = new AwsRegionResolver(_awsHome.Environment(), instanceMetadataBudget: TimeSpan.FromMilliseconds(500));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        try
        {
            await resolver.ResolveAsync(new AwsOptions(), CancellationToken.None);
        }
        catch (EcrPushException)
        {
            // Not on EC2.
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    private AwsRegionResolver Resolver(FakeEnvironment environment, string? metadataRegion = null)
        => new(environment, _ =>
        {
            Interlocked.Increment(ref _metadataCalls);
            return Task.FromResult(metadataRegion);
        });
}

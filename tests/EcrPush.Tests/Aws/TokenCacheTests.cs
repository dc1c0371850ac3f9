using Ecr.Internal.Aws.EcrApi;
using Ecr.Internal.Aws.Runtime;
using Ecr.Tests.Fakes;

namespace Ecr.Tests.Aws;

public sealed class TokenCacheTests
{
    private readonly FakeEnvironment _environment = new();
    private readonly FakeEcr _ecr = new();
    private readonly TokenCache _cache;

    public TokenCacheTests()
    {
        _cache = new TokenCache(_environment);
        _ecr.TokenExpiry = () => _environment.Time.GetUtcNow().AddHours(12);
    }

    [Fact]
    public async Task A_refused_token_that_the_cache_still_holds_is_replaced_by_a_new_fetch()
    {
        var connection = await ConnectAsync();
        var stale = await _cache.GetAsync(connection, null, CancellationToken.None);

        var fresh = await _cache.RefreshAsync(connection, null, stale, CancellationToken.None);

        Assert.Equal(("password-1", "password-2"), (stale.Password, fresh.Password));
        Assert.Equal(2, _ecr.TokenCalls);
        Assert.Same(fresh, await _cache.GetAsync(connection, null, CancellationToken.None));
        Assert.Equal(2, _ecr.TokenCalls);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_stale_token_share_one_fetch()
    {
        var connection = await ConnectAsync();
        var stale = await _cache.GetAsync(connection, null, CancellationToken.None);
        _ecr.TokenDelay = TimeSpan.FromMilliseconds(200);

        var fresh = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _cache.RefreshAsync(connection, null, stale, CancellationToken.None))));

        Assert.Equal(2, _ecr.TokenCalls);
        Assert.All(fresh, token => Assert.Same(fresh[0], token));
        Assert.Equal("password-2", fresh[0].Password);
    }

    [Fact]
    public async Task A_caller_whose_stale_token_was_replaced_already_gets_the_replacement_without_a_call()
    {
        var connection = await ConnectAsync();
        var stale = await _cache.GetAsync(connection, null, CancellationToken.None);
        var replacement = await _cache.RefreshAsync(connection, null, stale, CancellationToken.None);

        var late = await _cache.RefreshAsync(connection, null, stale, CancellationToken.None);

        Assert.Same(replacement, late);
        Assert.Equal(2, _ecr.TokenCalls);
    }

    [Fact]
    public async Task A_refresh_with_nothing_cached_fetches_and_keeps_the_token()
    {
        var connection = await ConnectAsync();
        var elsewhere = new EcrAuthorization("AWS", "from-another-cache", new Uri($"https://{FakeEcr.Host}"), _environment.Time.GetUtcNow().AddHours(12));

        var fresh = await _cache.RefreshAsync(connection, null, elsewhere, CancellationToken.None);

        Assert.Equal("password-1", fresh.Password);
        Assert.Same(fresh, await _cache.GetAsync(connection, null, CancellationToken.None));
        Assert.Equal(1, _ecr.TokenCalls);
    }

    [Fact]
    public async Task A_refresh_keeps_to_its_registry()
    {
        var connection = await ConnectAsync();
        var own = await _cache.GetAsync(connection, null, CancellationToken.None);
        var other = await _cache.GetAsync(connection, "210987654321", CancellationToken.None);

        await _cache.RefreshAsync(connection, null, own, CancellationToken.None);

        Assert.Same(other, await _cache.GetAsync(connection, "210987654321", CancellationToken.None));
        Assert.Equal(3, _ecr.TokenCalls);
    }

    [Theory]
    [InlineData(59, 2)]
    [InlineData(61, 1)]
    public async Task A_cached_token_is_reused_only_while_more_than_an_hour_of_it_is_left(int minutesLeft, int calls)
    {
        // A big push can take more than 15 minutes; ECR's tokens live 12 hours, so an hour's margin costs little.
        var connection = await ConnectAsync();
        _ecr.TokenExpiry = () => _environment.Time.GetUtcNow().AddMinutes(minutesLeft);

        var first = await _cache.GetAsync(connection, null, CancellationToken.None);
        var second = await _cache.GetAsync(connection, null, CancellationToken.None);

        Assert.Equal("password-1", first.Password);
        Assert.Equal(calls, _ecr.TokenCalls);
        Assert.Equal($"password-{calls}", second.Password);
    }

    [Fact]
    public async Task A_token_fetched_for_this_very_call_is_used_as_ECR_gave_it_even_when_it_says_it_expired()
    {
        var connection = await ConnectAsync();
        _ecr.TokenExpiry = static () => new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var token = await _cache.GetAsync(connection, null, CancellationToken.None);

        Assert.Equal(("password-1", 1), (token.Password, _ecr.TokenCalls));
    }

    private Task<EcrConnection> ConnectAsync() => _ecr.ConnectAsync(new AwsOptions { Region = "us-east-1" }, CancellationToken.None);
}

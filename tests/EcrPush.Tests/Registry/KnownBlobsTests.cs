using Ecr.Internal.Registry;

namespace Ecr.Tests.Registry;

/// <summary>What a mount attempt may name as its source: another repository of the same registry host, never the same one, never another registry's.</summary>
public sealed class KnownBlobsTests
{
    private const string Registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    [Fact]
    public void A_blob_seen_in_one_repository_is_offered_for_another_of_the_same_registry_only()
    {
        var known = new KnownBlobs();
        known.Record(Registry, Digest, "team/web");

        Assert.Equal("team/web", known.OtherRepository(Registry, Digest, "team/api"));
        Assert.Null(known.OtherRepository(Registry, Digest, "team/web"));
        Assert.Null(known.OtherRepository("123456789012.dkr.ecr.eu-west-1.amazonaws.com", Digest, "team/api"));
        Assert.Null(known.OtherRepository(Registry, Digest.Replace('1', '2'), "team/api"));
    }

    [Fact]
    public void The_last_repository_it_was_seen_in_is_the_one_offered()
    {
        var known = new KnownBlobs();
        known.Record(Registry, Digest, "team/web");
        known.Record(Registry, Digest, "team/api");

        Assert.Equal("team/api", known.OtherRepository(Registry, Digest, "team/worker"));
        Assert.Equal("team/api", known.OtherRepository(Registry, Digest, "team/web"));
        Assert.Null(known.OtherRepository(Registry, Digest, "team/api"));
    }
}

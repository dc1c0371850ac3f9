namespace Ecr;

/// <summary>Whether the tags of a repository the push creates can be moved to another image (ECR's <c>imageTagMutability</c>).</summary>
public enum TagMutability
{
    /// <summary><c>MUTABLE</c>: a push may move any tag.</summary>
    Mutable = 0,

    /// <summary><c>IMMUTABLE</c>: a tag, once pushed, keeps its image.</summary>
    Immutable = 1,

    /// <summary><c>IMMUTABLE_WITH_EXCLUSION</c>: immutable, but for the tags that <see cref="EcrPushSettings.TagMutabilityExclusionFilters"/> match.</summary>
    ImmutableWithExclusion = 2,

    /// <summary><c>MUTABLE_WITH_EXCLUSION</c>: mutable, but for the tags that <see cref="EcrPushSettings.TagMutabilityExclusionFilters"/> match.</summary>
    MutableWithExclusion = 3,
}

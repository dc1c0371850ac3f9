using Ecr.Internal;
using Ecr.Internal.Sources;

namespace Ecr.Tests.Fakes;

/// <summary>A checked plan's source as the kind a test expects; any other kind fails the test.</summary>
internal static class PlanSources
{
    public static EngineImageSpec EngineSource(this PushPlan plan) => Assert.IsType<EngineImageSpec>(plan.Source);

    public static ImageFileSpec FileSource(this PushPlan plan) => Assert.IsType<ImageFileSpec>(plan.Source);

    public static EcrImageSpec EcrSource(this PushPlan plan) => Assert.IsType<EcrImageSpec>(plan.Source);
}

// A real push to Amazon ECR with your own AWS credentials, through the project's own Cake alias.
// Run it with `./build.sh --target=Push ...`, which first builds into artifacts/build-scripts the addin that the #r
// line below loads: Cake resolves it when it compiles this script, before any task could build it.
//
//   ./build.sh --target=Push --source-image=web:1.4.2 --repository=team/web
//              [--tag=1.4.2 --tag=latest | --tag=1.4.2,latest] [--region=us-east-1] [--create-repository]
//
// --source-image is name[:tag] (`latest` when left out), or an image ID `sha256:…`. Credentials and region come
// from wherever the AWS SDK finds them (environment, profile and SSO, web identity, instance metadata).
#r "../artifacts/build-scripts/Cake.EcrPush.dll"

var sourceImage = Argument<string>("source-image", null);
var repository = Argument<string>("repository", null);
var tags = Arguments<string>("tag", new string[0])
    .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    .ToArray();
var region = Argument<string>("region", null);

// A bare `--create-repository` has an empty value, which Argument<bool> would read as its default.
var createRepository = HasArgument("create-repository") &&
    !string.Equals(Argument("create-repository", "true"), "false", StringComparison.OrdinalIgnoreCase);

Task("Push").Does(() =>
{
    if (string.IsNullOrWhiteSpace(sourceImage) || string.IsNullOrWhiteSpace(repository))
    {
        throw new CakeException("Push needs --source-image=<name[:tag]> and --repository=<name>, e.g. --source-image=web:1.4.2 --repository=team/web");
    }

    var settings = SourceSettings(sourceImage).SetRepositoryName(repository);
    if (tags.Length > 0)
    {
        settings = settings.SetTargetTags(tags);
    }

    if (region is not null)
    {
        settings = settings.SetRegion(region);
    }

    if (createRepository)
    {
        settings = settings.EnableAutoCreateRepository();
    }

    var pushed = EcrPush(settings);
    Information("Pushed {0}", string.Join(", ", pushed.AllImageReferences));
    Information("Digest {0}", pushed.DigestReference);
});

RunTarget("Push");

// The library takes the name and the tag apart (a tag inside SourceImageName is refused by design): a tag follows
// the last colon only when that colon comes after the last slash, as `registry:5000/web` has no tag.
static EcrPushSettings SourceSettings(string sourceImage)
{
    if (sourceImage.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
    {
        return new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId(sourceImage);
    }

    if (sourceImage.Contains('@'))
    {
        throw new CakeException($"--source-image={sourceImage} names a digest; give name[:tag] or the image ID (sha256:…).");
    }

    var colon = sourceImage.LastIndexOf(':');
    return colon > sourceImage.LastIndexOf('/')
        ? new EcrPushSettings().SetSourceImageName(sourceImage[..colon]).SetSourceImageTag(sourceImage[(colon + 1)..])
        : new EcrPushSettings().SetSourceImageName(sourceImage);
}

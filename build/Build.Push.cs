using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ecr;
using Nuke.Common;
using Nuke.Common.IO;
using Serilog;
using static Ecr.EcrTasks;

/// <summary>Push: a real push to Amazon ECR with the caller's AWS credentials; DeploymentFile: what a later step deploys.</summary>
partial class Build
{
    [Parameter("Push: the local image, name:tag (web:1.4.2), name@sha256:digest, or an image ID sha256:id")]
    readonly string? SourceImage;

    [Parameter("Push: the ECR repository to push to (team/web)")]
    readonly string? Repository;

    [Parameter("Push: the tags to push (default latest): --tag 1.4.2 latest, or --tag 1.4.2 --tag latest")]
    readonly string[] Tag = [];

    // Nuke 10 keeps only the last of a repeated --tag (--tag a --tag b gives [b]); a repeated --tag is read here so that
    // every occurrence counts. A tag never starts with '-', so a tag's values end at the next option.
    string[] Tags
    {
        get
        {
            var arguments = Environment.GetCommandLineArgs().Skip(1).ToList();
            var options = arguments.Select((argument, index) => (argument, index))
                .Where(item => item.argument is "--tag" or "-tag")
                .Select(item => item.index)
                .ToList();
            return options.Count < 2
                ? Tag
                : [.. options.SelectMany(index => arguments.Skip(index + 1).TakeWhile(value => !value.StartsWith('-')))];
        }
    }

    [Parameter("Push: the AWS region (default: AWS_REGION, the profile's region, instance metadata)")]
    readonly string? Region;

    [Parameter("Push: create the repository when it does not exist")]
    readonly bool CreateRepository;

    [Parameter("Push (and Demo): to Amazon ECR Public, public.ecr.aws/<alias>/<repository>, instead of the account's private registry")]
    readonly bool Public;

    [Parameter("Push: the ECR Public alias to push under (default: the public registry's primary alias)")]
    readonly string? PublicAlias;

    [Parameter("Push: for an ECR Public repository the push creates, its description in the ECR Public Gallery")]
    readonly string? Description;

    // What Push or Demo pushed in this run, for the targets after them.
    EcrPushResult? Pushed;

    Target Push => _ => _
        .Description("Pushes a local image to ECR with your AWS credentials: --source-image web:1.4.2 --repository team/web [--tag 1.4.2 latest] [--region us-east-1] [--create-repository] [--public [--public-alias my-team] [--description \"…\"]]")
        .Triggers(DeploymentFile)
        .Executes(async () =>
        {
            // Said before anything else runs, with the whole command line to copy.
            Assert.True(
                !string.IsNullOrWhiteSpace(SourceImage) && !string.IsNullOrWhiteSpace(Repository),
                "Push needs --source-image and --repository, e.g." + Environment.NewLine +
                "  ./build.sh Push --source-image web:1.4.2 --repository team/web --tag 1.4.2 latest --create-repository");

            // The library reads name:tag and name@digest itself; an image ID is another kind of source.
            var settings = SourceImage!.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)
                ? new EcrPushSettings().SetImageIdentity(ImageIdentity.ImageId).SetSourceImageId(SourceImage)
                : new EcrPushSettings().SetSourceImageName(SourceImage);
            settings = settings.SetRepositoryName(Repository);
            var tags = Tags;
            if (tags.Length > 0)
            {
                settings = settings.SetTargetTags(tags);
            }

            if (Region is not null)
            {
                settings = settings.SetRegion(Region);
            }

            if (CreateRepository)
            {
                settings = settings.EnableAutoCreateRepository();
            }

            // ECR Public: its API and token are in us-east-1 whatever --region says; the alias and the description are its own.
            if (Public)
            {
                settings = settings.EnablePublicRegistry().SetPublicRegistryAlias(PublicAlias).SetCatalogDescription(Description);
            }

            Log.Information(
                "Pushing {Source} to the {Registry} repository {Repository} with the tags {Tags}",
                SourceImage, Public ? "ECR Public" : "ECR", Repository, tags.Length > 0 ? string.Join(", ", tags) : "latest (the default)");
            Pushed = await EcrPushAsync(settings);
            Log.Information("Pushed {References}", string.Join(", ", Pushed.AllImageReferences));
            Log.Information("Digest {DigestReference}", Pushed.DigestReference);
        });

    Target DeploymentFile => _ => _
        .Description("Writes artifacts/deployment/<name>.yaml, a Kubernetes Deployment of the image that Push or Demo pushed in this run, by digest")
        .TriggeredBy(Push, Demo)
        .Executes(() =>
        {
            Assert.NotNull(Pushed, "DeploymentFile deploys what Push or Demo pushed in the same run: ./build.sh Push ... or ./build.sh Demo");
            var name = DeploymentName(Pushed!.FirstDestination.RepositoryUri);
            var file = Artifacts / "deployment" / (name + ".yaml");
            file.WriteAllText(DeploymentYaml(name, Pushed));
            Log.Information("Deployment {File} runs {DigestReference}", RootDirectory.GetRelativePathTo(file), Pushed.DigestReference);
        });

    // A Kubernetes name (RFC 1123 label) from the repository's last path segment: team/web -> web.
    static string DeploymentName(string repositoryUri)
    {
        var last = repositoryUri[(repositoryUri.LastIndexOf('/') + 1)..].ToLowerInvariant();
        var name = NotLabel().Replace(last, "-").Trim('-');
        return name.Length == 0 ? "app" : name[..Math.Min(name.Length, 63)].TrimEnd('-');
    }

    // By digest, so that a deployment runs exactly the pushed image even if its tag moves later.
    static string DeploymentYaml(string name, EcrPushResult pushed) =>
        new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Written by the build's DeploymentFile target after the push of {pushed.ImageReference}.")
            .AppendLine("apiVersion: apps/v1")
            .AppendLine("kind: Deployment")
            .AppendLine("metadata:")
            .AppendLine(CultureInfo.InvariantCulture, $"  name: {name}")
            .AppendLine("  annotations:")
            .AppendLine(CultureInfo.InvariantCulture, $"    ecrpush/image-reference: \"{pushed.ImageReference}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    ecrpush/digest: \"{pushed.Digest}\"")
            .AppendLine("spec:")
            .AppendLine("  replicas: 1")
            .AppendLine("  selector:")
            .AppendLine("    matchLabels:")
            .AppendLine(CultureInfo.InvariantCulture, $"      app: {name}")
            .AppendLine("  template:")
            .AppendLine("    metadata:")
            .AppendLine("      labels:")
            .AppendLine(CultureInfo.InvariantCulture, $"        app: {name}")
            .AppendLine("    spec:")
            .AppendLine("      containers:")
            .AppendLine(CultureInfo.InvariantCulture, $"        - name: {name}")
            .AppendLine(CultureInfo.InvariantCulture, $"          image: \"{pushed.DigestReference}\"")
            .ToString();

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotLabel();
}

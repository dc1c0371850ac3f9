using Amazon.Runtime;


namespace Ecr.Internal.Aws.Runtime;

/// <summary>The SDK's request object needs an "original request"; this one carries nothing.</summary>
internal sealed class SigningRequest : AmazonWebServiceRequest
{
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Ecr.TestStack;

/// <summary>Where the stack's parts listen: loopback addresses and ports that are free, picked at random so that stacks can run side by side.</summary>
internal static class LoopbackAddresses
{
    /// <summary>
    /// One loopback address per registry, all on port 443 as ECR's are: 127.X.Y.1, 127.X.Y.2, … with X and Y
    /// random, so that concurrent stacks pick different ones; a candidate that is already taken is skipped.
    /// </summary>
    public static IReadOnlyList<IPAddress> PickRegistryAddresses(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var second = (byte)RandomNumberGenerator.GetInt32(1, 255);
            var third = (byte)RandomNumberGenerator.GetInt32(0, 256);
            IReadOnlyList<IPAddress> addresses =
                [.. Enumerable.Range(1, count).Select(fourth => new IPAddress([127, second, third, (byte)fourth]))];
            if (addresses.All(address => IsFree(new IPEndPoint(address, 443))))
            {
                return addresses;
            }
        }

        throw new InvalidOperationException("LocalEcrStack found no free loopback addresses for its registries on port 443.");
    }

    /// <summary>A random free port on 127.0.0.1 below the kernel's ephemeral range, where no outgoing connection takes it meanwhile.</summary>
    public static int PickMotoPort()
    {
        while (true)
        {
            var port = RandomNumberGenerator.GetInt32(20000, 32768);
            if (IsFree(new IPEndPoint(IPAddress.Loopback, port)))
            {
                return port;
            }
        }
    }

    private static bool IsFree(IPEndPoint endPoint)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MaintProxy.Lifetime;

/// <summary>
/// Whether the kernel still holds bytes a connection's socket has to send or have acknowledged, read
/// from Linux's <c>TCP_INFO</c>. The transport moves an answer's bytes into the kernel as fast as it
/// takes them, so an empty queue that stays empty means nothing of an answer is left to send.
/// </summary>
internal static class SendQueue
{
    private const int IpProtocolTcp = 6;
    private const int TcpInfo = 11;

    // Offsets in struct tcp_info (linux/tcp.h), in the machine's byte order; tcpi_notsent_bytes came with Linux 4.6.
    private const int UnackedOffset = 24;
    private const int NotSentBytesOffset = 144;
    private const int Length = NotSentBytesOffset + sizeof(uint);

    /// <summary>True when the kernel has nothing left to send on the socket nor waits for an acknowledgement; false when it has, or when that cannot be read.</summary>
    public static bool IsEmpty(Socket? socket)
    {
        if (socket is null)
        {
            return false;
        }

        Span<byte> info = stackalloc byte[256];
        try
        {
            var length = socket.GetRawSocketOption(IpProtocolTcp, TcpInfo, info);
            return length >= Length
                && MemoryMarshal.Read<uint>(info[UnackedOffset..]) == 0
                && MemoryMarshal.Read<uint>(info[NotSentBytesOffset..]) == 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}

using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;

namespace MaintProxy.Hosting;

/// <summary>
/// Standard output as a stream of its own. The runtime's console stream writes while holding the lock
/// of <see cref="Console.Out"/>, which every console log line takes too: one write(2) blocked on a pipe
/// nobody reads would then stop every thread that logs, whatever the buffer in front of it.
/// </summary>
internal static class StandardOutputStream
{
    private const int StandardOutputDescriptor = 1;

    public static Stream Open()
    {
        try
        {
            // A pipe or a socket (journald, a container runtime): the ones that can stall.
            return new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(StandardOutputDescriptor, ownsHandle: false));
        }
        catch (IOException)
        {
            // A file, a terminal or /dev/null.
            return Console.OpenStandardOutput();
        }
    }
}

using System.Buffers;

namespace MaintProxy.Proxy;

/// <summary>
/// The characters an HTTP/1.1 request target may hold: visible ASCII. Kestrel's HTTP/1.1 parser refuses
/// the others, but an HTTP/2 or HTTP/3 <c>:path</c> reaches the application with spaces, control
/// characters and bytes that are not ASCII, and the target goes to the backend as written
/// (<see cref="RawTargetTransformProvider"/>): <c>:path /api/status HTTP/1.0</c> would become the request
/// line <c>GET /api/status HTTP/1.0 HTTP/1.1</c>, read one way by the proxy and another by the backend.
/// </summary>
internal static class RequestTargetCharacters
{
    private static readonly SearchValues<char> Visible = SearchValues.Create(
        "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    public static bool AreAllVisible(string? target) => target is null || target.AsSpan().IndexOfAnyExcept(Visible) < 0;
}

namespace MaintProxy.FastCgi;

/// <summary>Constants of the FastCGI 1.0 specification.</summary>
internal static class FastCgiProtocol
{
    public const byte Version = 1;
    public const int HeaderLength = 8;
    public const int MaxContentLength = ushort.MaxValue;
    public const ushort ResponderRole = 1;
    public const byte KeepConnFlag = 1;

    /// <summary>One request per connection at a time, so every request uses id 1.</summary>
    public const ushort RequestId = 1;

    /// <summary>Protocol status of END_REQUEST: the request completed normally.</summary>
    public const byte RequestComplete = 0;

    /// <summary>Padding that keeps a record's total length a multiple of 8, as the specification recommends.</summary>
    public static byte PaddingFor(int contentLength) => (byte)((8 - (contentLength & 7)) & 7);
}

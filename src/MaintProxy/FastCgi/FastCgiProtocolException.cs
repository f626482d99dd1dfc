namespace MaintProxy.FastCgi;

/// <summary>The FastCGI peer sent something the specification does not allow, or stopped mid-answer.</summary>
internal sealed class FastCgiProtocolException : IOException
{
    public FastCgiProtocolException()
    {
    }

    public FastCgiProtocolException(string message) : base(message)
    {
    }

    public FastCgiProtocolException(string message, Exception innerException) : base(message, innerException)
    {
    }
}

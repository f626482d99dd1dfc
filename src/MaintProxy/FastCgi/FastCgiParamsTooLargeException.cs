namespace MaintProxy.FastCgi;

/// <summary>A CGI parameter (usually one huge request header) does not fit in one PARAMS record.</summary>
internal sealed class FastCgiParamsTooLargeException : Exception
{
    public FastCgiParamsTooLargeException()
    {
    }

    public FastCgiParamsTooLargeException(string message) : base(message)
    {
    }

    public FastCgiParamsTooLargeException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public FastCgiParamsTooLargeException(string parameterName, int pairLength)
        : base($"the CGI parameter {parameterName} takes {pairLength} bytes; a FastCGI record holds at most {FastCgiProtocol.MaxContentLength}")
    {
    }
}

using System.Globalization;

namespace MaintProxy.FastCgi;

/// <summary>
/// A request body made ready for STDIN: none, buffered whole first (always when buffering is on; else
/// when no Content-Length came with it), or streamed as it arrives.
/// </summary>
internal sealed class FastCgiRequestBody : IDisposable
{
    private static readonly FastCgiRequestBody None = new(null, null, "", tooLarge: false);
    private static readonly FastCgiRequestBody DeclaredEmpty = new(null, null, "0", tooLarge: false);
    private static readonly FastCgiRequestBody TooLargeBody = new(null, null, "", tooLarge: true);

    private readonly HttpContent? _streamed;
    private readonly FastCgiBufferedBody? _buffered;

    private FastCgiRequestBody(HttpContent? streamed, FastCgiBufferedBody? buffered, string contentLength, bool tooLarge,
        Exception? storageError = null)
    {
        StorageError = storageError;
        _streamed = streamed;
        _buffered = buffered;
        ContentLength = contentLength;
        TooLarge = tooLarge;
    }

    /// <summary>The CONTENT_LENGTH parameter: empty when there is no body.</summary>
    public string ContentLength { get; }

    /// <summary>A body to buffer went past the cap, or declared a length over it; the request is answered 413.</summary>
    public bool TooLarge { get; }

    /// <summary>The body could not be buffered whole (its temporary file could not be written); the request is answered 507.</summary>
    public Exception? StorageError { get; }

    public bool IsEmpty => _streamed is null && _buffered is null;

    /// <summary>Whether the body can be sent again on a second connection.</summary>
    public bool CanReplay => _streamed is null;

    public static async Task<FastCgiRequestBody> PrepareAsync(HttpContent? content, bool emptyBodyDeclared, long cap, bool bufferAll,
        CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return emptyBodyDeclared ? DeclaredEmpty : None;
        }

        if (content.Headers.ContentLength is { } length)
        {
            if (!bufferAll)
            {
                return new FastCgiRequestBody(content, null, length.ToString(CultureInfo.InvariantCulture), tooLarge: false);
            }

            if (length > cap)
            {
                return TooLargeBody;
            }
        }

        var buffered = new FastCgiBufferedBody(cap);
        try
        {
            await content.CopyToAsync(buffered, cancellationToken);
        }
        catch (Exception)
        {
            // Past the cap, or the client left mid-upload: the temporary file closes now, not at a GC.
            await buffered.DisposeAsync();
            if (buffered.Exceeded)
            {
                return TooLargeBody;
            }

            if (buffered.StorageError is { } error)
            {
                return new FastCgiRequestBody(null, null, "", tooLarge: false, error);
            }

            throw;
        }

        if (buffered.Exceeded || buffered.StorageError is not null)
        {
            await buffered.DisposeAsync();
            return buffered.Exceeded ? TooLargeBody : new FastCgiRequestBody(null, null, "", tooLarge: false, buffered.StorageError);
        }

        buffered.Position = 0;
        return new FastCgiRequestBody(null, buffered, buffered.Length.ToString(CultureInfo.InvariantCulture), tooLarge: false);
    }

    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (_buffered is not null)
        {
            _buffered.Position = 0;
            await _buffered.CopyToAsync(destination, cancellationToken);
        }
        else if (_streamed is not null)
        {
            await _streamed.CopyToAsync(destination, cancellationToken);
        }
    }

    public void Dispose() => _buffered?.Dispose();
}

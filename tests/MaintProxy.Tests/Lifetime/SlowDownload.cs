using System.Security.Cryptography;

namespace MaintProxy.Tests.Lifetime;

/// <summary>
/// A download the backend throttles itself (a chunk, then a pause), so the proxy is busy with it
/// for the whole time, whatever the socket buffers would hold; and the client that fetches it.
/// </summary>
internal sealed class SlowDownload(int chunks, int chunkSize, TimeSpan pause)
{
    public byte[] Content { get; } = RandomNumberGenerator.GetBytes(chunks * chunkSize);

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));

    public TaskCompletionSource FirstBytesReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, the backend sends the first chunk, then the rest only once this completes (at most a minute later).</summary>
    public Task? RestSentAfter { get; init; }

    /// <summary>The backend's side: answers every request with <see cref="Content"/>, slowly.</summary>
    public async Task ServeAsync(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = Content.Length;
        for (var offset = 0; offset < Content.Length; offset += chunkSize)
        {
            await context.Response.Body.WriteAsync(Content.AsMemory(offset, chunkSize), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(pause, context.RequestAborted);
            if (offset == 0 && RestSentAfter is { } release)
            {
                await release.WaitAsync(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
        }
    }

    /// <summary>The client's side: what arrived, its SHA-256, and the error that ended it early, if any.</summary>
    public async Task<(long Bytes, string Sha256, Exception? Error)> FetchAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long bytes = 0;
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                bytes += read;
                FirstBytesReceived.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            FirstBytesReceived.TrySetResult();
            return (bytes, Convert.ToHexStringLower(hash.GetHashAndReset()), ex);
        }

        return (bytes, Convert.ToHexStringLower(hash.GetHashAndReset()), null);
    }
}

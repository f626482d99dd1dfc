using System.Net;
using System.Threading.Channels;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.Maintenance;

/// <summary>
/// An ordinary upload still being sent when <c>down.sh</c> runs was admitted before the switch: it is
/// not cut off; only streams in a conversation with the backend are.
/// </summary>
public sealed class UploadAtTheSwitchEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task UploadStillSendingWhenDownShRuns_IsNotCutOff()
    {
        await using var proxy = await StartProxyAsync();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var chunk = new byte[4096];
        var content = new ChunkedContent();
        var upload = client.PostAsync(proxy.PublicUrl + "/upload", content);
        await content.SendAsync(chunk);
        Assert.True(await Eventually.TrueAsync(async () => await InFlightAsync(proxy) == 1, TimeSpan.FromSeconds(10)),
            "the upload is not in flight" + proxy.Output);

        var down = await Scripts.DownAsync(proxy);
        Assert.True(down.ExitCode == 0, down.Stderr + down.Stdout);
        for (var i = 0; i < 3; i++)
        {
            await content.SendAsync(chunk);
        }

        content.End();
        using var response = await upload;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4 * chunk.Length, Backend.Requests.Single().BodyLength);
        Assert.DoesNotContain("request stream(s)", proxy.Output, StringComparison.Ordinal);
    }

    private static async Task<int> InFlightAsync(ProxyProcess proxy) =>
        (await proxy.StatusAsync()).GetProperty("inFlight").EnumerateObject().Sum(cluster => cluster.Value.GetInt32());

    /// <summary>A request body sent chunk by chunk, as the test decides.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();

        public ValueTask SendAsync(byte[] chunk) => _chunks.Writer.WriteAsync(chunk);

        public void End() => _chunks.Writer.Complete();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await foreach (var chunk in _chunks.Reader.ReadAllAsync())
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

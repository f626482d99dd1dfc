using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MaintProxy.Tests.Infrastructure;
using MaintProxy.Transport;

namespace MaintProxy.Tests.Transport;

/// <summary>A connection flood above the proxy's open-file limit, against the real process.</summary>
public sealed class ConnectionFloodEndToEndTests : EndToEndTest
{
    private const int OpenFileLimit = 512;

    [Fact]
    public async Task FloodAboveTheOpenFileLimit_AcceptsArePausedAndLogged_TheProxySurvivesAndServesOnceTheFloodEnds()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, openFileLimit: OpenFileLimit);
        using (await FloodAsync(proxy))
        {
            Assert.False(proxy.HasExited, proxy.Output);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var status = await client.GetAsync(proxy.AdminUrl + "/status");
        using var forwarded = await client.GetAsync(proxy.PublicUrl + "/after-the-flood");

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        // Said once accepts have gone a while without failing: at the first connection after that.
        using var newConnections = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
        var saidAgain = false;
        for (var i = 0; i < 40 && !saidAgain; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            using var next = await newConnections.GetAsync(proxy.PublicUrl + "/after-the-flood");
            saidAgain = proxy.Output.Contains($"Accepting connections on 127.0.0.1:{proxy.PublicPort} again", StringComparison.Ordinal);
        }

        Assert.True(saidAgain, proxy.Output);
        Assert.False(proxy.HasExited, proxy.Output);

        // Paced: each failed accept is followed by a pause, not retried at once (which spun a core).
        var again = Regex.Match(proxy.Output, $@"Accepting connections on 127\.0\.0\.1:{proxy.PublicPort} again, after (\d+) failed attempt\(s\) over ([0-9.]+) s");
        var (attempts, seconds) = (long.Parse(again.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(again.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.True(attempts <= 2 + (seconds + 0.05) * 1.1 / PacedSocketListener.Pause.TotalSeconds, $"{attempts} failed accepts in {seconds} s, with a pause of {PacedSocketListener.Pause.TotalMilliseconds} ms after each");
    }

    [Fact]
    public async Task FloodHeldAtTheOpenFileLimit_ConnectionsClosingOneByOne_PauseIsLoggedOnce()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, openFileLimit: OpenFileLimit);
        using var flood = (Flood)await FloodAsync(proxy);

        // Each connection the proxy serves that closes frees one descriptor: one accept from the backlog
        // gets through, the next fails again. That is the same shortage, not a new one each time.
        for (var i = 0; i < 6; i++)
        {
            flood.Sockets[i].Close();
            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }

        Assert.False(proxy.HasExited, proxy.Output);
        Assert.Equal(1, Regex.Count(proxy.Output, "Cannot accept connections on "));
        Assert.DoesNotContain("Accepting connections on ", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FloodAboveTheOpenFileLimit_DownAndUpAreStillConfirmed()
    {
        await using var proxy = await ProxyProcess.StartReadyAsync(Dir.Path, Backend.Url, openFileLimit: OpenFileLimit);
        ScriptResult down, up;
        using (await FloodAsync(proxy))
        {
            down = await Scripts.DownAsync(proxy);
            up = await Scripts.UpAsync(proxy);
        }

        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.True(await proxy.WaitForOutputAsync("Maintenance is ON (generation 2)", TimeSpan.FromSeconds(5)), proxy.Output);
    }

    /// <summary>
    /// Opens enough idle connections to use every descriptor the proxy has left, and some to spare,
    /// and returns once the proxy has said it cannot take more; disposing closes them all.
    /// </summary>
    private static async Task<IDisposable> FloodAsync(ProxyProcess proxy)
    {
        var flood = new Flood();
        try
        {
            var free = OpenFileLimit - Directory.GetFileSystemEntries($"/proc/{proxy.Pid}/fd").Length;
            for (var i = 0; i < free + 100; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                flood.Sockets.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
            }

            Assert.True(await proxy.WaitForOutputAsync($"Cannot accept connections on 127.0.0.1:{proxy.PublicPort}: no file descriptor left", TimeSpan.FromSeconds(20)),
                proxy.Output);
            return flood;
        }
        catch
        {
            flood.Dispose();
            throw;
        }
    }

    private sealed class Flood : IDisposable
    {
        public List<Socket> Sockets { get; } = [];

        public void Dispose()
        {
            foreach (var socket in Sockets)
            {
                socket.Dispose();
            }
        }
    }
}

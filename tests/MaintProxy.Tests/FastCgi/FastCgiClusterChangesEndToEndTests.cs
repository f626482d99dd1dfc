using System.Net;
using System.Text.Json.Nodes;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>A FastCGI cluster or destination taken out of the running settings file lets go of the php-fpm workers it held.</summary>
public sealed class FastCgiClusterChangesEndToEndTests : EndToEndTest
{
    [Fact]
    public async Task DestinationReplacedInTheSettingsFile_ClosesTheOldOnesIdleConnections()
    {
        await using var rig = await StartWithPhpClusterAsync();
        var (fpmPort, settingsFile, settings, proxy, client) = (rig.FpmPort, rig.SettingsFile, rig.Settings, rig.Proxy, rig.Client);
        Assert.StartsWith("hello from ", await client.GetStringAsync(proxy.PublicUrl + "/php/hello.php"), StringComparison.Ordinal);
        Assert.Single(LoopbackConnections.ClientPortsTo(fpmPort, establishedOnly: true));

        // The same cluster settings with another server (as in a move to a new pool): the client stays, the old pool goes.
        settings["ReverseProxy"]!["Clusters"]!["php"]!["Destinations"]!["fpm"]!["Address"] = $"fcgi://127.0.0.1:{FreePort.Next()}";
        await ApplyWithMarkerAsync(settingsFile, settings, client, proxy);

        Assert.True(await Eventually.TrueAsync(() => LoopbackConnections.ClientPortsTo(fpmPort, establishedOnly: true).Count == 0, TimeSpan.FromSeconds(10)),
            "the replaced destination still holds its connection to php-fpm (and so its only worker):\n" + proxy.Output);
        Assert.Contains($"FastCGI destination fcgi://127.0.0.1:{fpmPort} removed from cluster php; its connections close", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestToADestinationRemovedWhileItsBodyWasBuffered_LeavesNoIdleConnection()
    {
        await using var rig = await StartWithPhpClusterAsync();
        var (fpmPort, settingsFile, settings, proxy, client) = (rig.FpmPort, rig.SettingsFile, rig.Settings, rig.Proxy, rig.Client);

        // The destination is chosen, then the body is read whole; the destination goes meanwhile.
        using var upload = new System.Net.Sockets.TcpClient();
        await upload.ConnectAsync(IPAddress.Loopback, proxy.PublicPort);
        var stream = upload.GetStream();
        await stream.WriteAsync("POST /php/hello.php HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nab"u8.ToArray());
        settings["ReverseProxy"]!["Clusters"]!["php"]!["Destinations"]!["fpm"]!["Address"] = $"fcgi://127.0.0.1:{FreePort.Next()}";
        await ApplyWithMarkerAsync(settingsFile, settings, client, proxy);
        await stream.WriteAsync("cd"u8.ToArray());
        using var reader = new StreamReader(stream);
        Assert.Contains("hello from ", await reader.ReadToEndAsync(), StringComparison.Ordinal);

        Assert.True(await Eventually.TrueAsync(() => LoopbackConnections.ClientPortsTo(fpmPort, establishedOnly: true).Count == 0, TimeSpan.FromSeconds(10)),
            "the removed destination keeps a connection to php-fpm (and so its only worker) after the request it served:\n" + proxy.Output);
    }

    [Fact]
    public async Task ClusterRemovedFromTheSettingsFile_ClosesItsIdleConnections()
    {
        await using var rig = await StartWithPhpClusterAsync();
        var (fpmPort, settingsFile, settings, proxy, client) = (rig.FpmPort, rig.SettingsFile, rig.Settings, rig.Proxy, rig.Client);
        Assert.StartsWith("hello from ", await client.GetStringAsync(proxy.PublicUrl + "/php/hello.php"), StringComparison.Ordinal);
        Assert.Single(LoopbackConnections.ClientPortsTo(fpmPort, establishedOnly: true));

        // The cluster goes (as when renamed); a new route marks the edit applied.
        settings["ReverseProxy"]!["Routes"]!.AsObject().Remove("php");
        settings["ReverseProxy"]!["Clusters"]!.AsObject().Remove("php");
        await ApplyWithMarkerAsync(settingsFile, settings, client, proxy);

        Assert.True(await Eventually.TrueAsync(() => LoopbackConnections.ClientPortsTo(fpmPort, establishedOnly: true).Count == 0, TimeSpan.FromSeconds(10)),
            "the removed cluster still holds its connection to php-fpm (and so its only worker):\n" + proxy.Output);
        Assert.Contains("FastCGI cluster php removed from the configuration; its connections close", proxy.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// php-fpm with one worker behind a copy of the proxy whose settings file the test edits. Idle
    /// connections outlive the test unless something closes them.
    /// </summary>
    private async Task<PhpClusterRig> StartWithPhpClusterAsync()
    {
        var fpm = await FastCgiPeer.StartPhpFpmAsync(Dir, workers: 1);
        var proxyDll = ProxyBuildCopy.CopyTo(Dir.File("app"));
        var settingsFile = ProxyBuildCopy.SettingsOf(proxyDll);
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsFile))!;
        AddPhpCluster(settings, fpm);
        await File.WriteAllTextAsync(settingsFile, settings.ToJsonString());
        var proxy = await ProxyProcess.StartReadyAsync(Dir.File("work"), Backend.Url,
            new Dictionary<string, string> { ["FastCgi:PooledConnectionIdleTimeout"] = "00:10:00" }, proxyDll: proxyDll);
        return new PhpClusterRig(fpm, settingsFile, settings, proxy);
    }

    private static void AddPhpCluster(JsonNode settings, FastCgiPeer fpm)
    {
        settings["ReverseProxy"]!["Routes"]!["php"] = new JsonObject
        {
            ["ClusterId"] = "php",
            ["Match"] = new JsonObject { ["Path"] = "/php/{**rest}" },
            ["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = "/php" }),
        };
        settings["ReverseProxy"]!["Clusters"]!["php"] = new JsonObject
        {
            ["HttpClient"] = new JsonObject { ["MaxConnectionsPerServer"] = 1 },
            ["Metadata"] = new JsonObject { ["Transport"] = "FastCGI", ["FastCGI.DocumentRoot"] = fpm.DocumentRoot },
            ["Destinations"] = new JsonObject { ["fpm"] = new JsonObject { ["Address"] = fpm.Address } },
        };
    }

    /// <summary>Saves the edit with a new route to the HTTP backend, and waits until that route answers: the edit is applied.</summary>
    private static async Task ApplyWithMarkerAsync(string settingsFile, JsonNode settings, HttpClient client, ProxyProcess proxy)
    {
        settings["ReverseProxy"]!["Routes"]!["marker"] = new JsonObject
        {
            ["ClusterId"] = "app",
            ["Match"] = new JsonObject { ["Path"] = "/marker" },
            ["Transforms"] = new JsonArray(new JsonObject { ["PathSet"] = "/applied" }),
        };
        await File.WriteAllTextAsync(settingsFile + ".new", settings.ToJsonString());
        File.Move(settingsFile + ".new", settingsFile, overwrite: true);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(proxy.PublicUrl + "/marker");
            return await response.Content.ReadAsStringAsync() == "backend ok /applied";
        }, TimeSpan.FromSeconds(10)), proxy.Output);
    }

    private sealed class PhpClusterRig(FastCgiPeer fpm, string settingsFile, JsonNode settings, ProxyProcess proxy) : IAsyncDisposable
    {
        public int FpmPort { get; } = ((IPEndPoint)fpm.EndPoint).Port;

        public string SettingsFile => settingsFile;

        public JsonNode Settings => settings;

        public ProxyProcess Proxy => proxy;

        public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await proxy.DisposeAsync();
            await fpm.DisposeAsync();
        }
    }
}

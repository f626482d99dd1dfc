using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MaintProxy.Tests.Infrastructure;

namespace MaintProxy.Tests.FastCgi;

/// <summary>
/// A real FastCGI server the test started (php-fpm, or fcgiwrap under spawn-fcgi), in the
/// foreground, on a free loopback port or a Unix socket in the test's temp directory.
/// Stopped by its own PID only.
/// </summary>
internal sealed class FastCgiPeer : IAsyncDisposable
{
    private readonly CapturedProcess _process;

    private FastCgiPeer(CapturedProcess process, string address, EndPoint endPoint, string documentRoot)
    {
        _process = process;
        Address = address;
        EndPoint = endPoint;
        DocumentRoot = documentRoot;
    }

    /// <summary>The destination address for the proxy's configuration.</summary>
    public string Address { get; }

    public EndPoint EndPoint { get; }

    public string DocumentRoot { get; }

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public static string PhpScripts => Path.Combine(AppContext.BaseDirectory, "FastCgi", "php");

    /// <summary>
    /// php-fpm 8.2 with <c>pm = static</c>, its status page at /status and ping at /ping;
    /// <paramref name="poolSettings"/> are more lines for its pool section.
    /// </summary>
    public static async Task<FastCgiPeer> StartPhpFpmAsync(TempDirectory dir, int workers = 4, bool unixSocket = false, int maxRequests = 0,
        string poolSettings = "")
    {
        var (listen, address, endPoint) = Listen(dir, unixSocket, "php-fpm.sock");
        var config = dir.File("php-fpm.conf");
        await File.WriteAllTextAsync(config, $"""
            [global]
            error_log = /proc/self/fd/2
            daemonize = no
            pid = {dir.File("php-fpm.pid")}

            [app]
            listen = {listen}
            pm = static
            pm.max_children = {workers}
            pm.max_requests = {maxRequests}
            pm.status_path = /status
            ping.path = /ping
            ping.response = pong
            access.log = {dir.File("php-fpm-access.log")}
            access.format = "%m %r %s"
            php_admin_flag[log_errors] = on
            php_admin_value[display_errors] = off
            php_admin_value[post_max_size] = 64M
            php_admin_value[max_execution_time] = 30
            {poolSettings}

            """);
        var start = new ProcessStartInfo("php-fpm8.2");
        foreach (var arg in new[] { "-F", "-O", "-n", "-y", config })
        {
            start.ArgumentList.Add(arg);
        }

        if (Environment.IsPrivilegedProcess)
        {
            start.ArgumentList.Add("-R");
        }

        return await StartAsync(start, address, endPoint, PhpScripts);
    }

    /// <summary>fcgiwrap (a C FastCGI server running CGI scripts) under spawn-fcgi: one process, one request at a time.</summary>
    public static async Task<FastCgiPeer> StartFcgiwrapAsync(TempDirectory dir)
    {
        var root = Directory.CreateDirectory(dir.File("cgi-root")).FullName;
        var script = Path.Combine(root, "echo.cgi");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "FastCgi", "cgi", "echo.cgi"), script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var (_, address, endPoint) = Listen(dir, unixSocket: false, "");
        var port = ((IPEndPoint)endPoint).Port;
        var start = new ProcessStartInfo("spawn-fcgi");
        foreach (var arg in new[] { "-n", "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--", "/usr/sbin/fcgiwrap", "-f" })
        {
            start.ArgumentList.Add(arg);
        }

        return await StartAsync(start, address, endPoint, root);
    }

    /// <summary>Lines php-fpm wrote to its access log ("METHOD URI STATUS").</summary>
    public static string[] AccessLog(TempDirectory dir)
    {
        var path = dir.File("php-fpm-access.log");
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Stops the server (SIGTERM, then its whole tree by PID) and waits until nothing listens any more.</summary>
    public async Task StopAsync()
    {
        _process.Signal("TERM");
        if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(5)))
        {
            await _process.KillAsync();
        }

        Assert.True(await Eventually.TrueAsync(() => !Accepts(EndPoint), TimeSpan.FromSeconds(5)), "The FastCGI server still accepts connections after being stopped.");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static (string Listen, string Address, EndPoint EndPoint) Listen(TempDirectory dir, bool unixSocket, string socketName)
    {
        if (unixSocket)
        {
            var path = dir.File(socketName);
            return (path, "fcgi+unix://" + path, new UnixDomainSocketEndPoint(path));
        }

        var port = FreePort.Next();
        return ($"127.0.0.1:{port}", $"fcgi://127.0.0.1:{port}", new IPEndPoint(IPAddress.Loopback, port));
    }

    private static async Task<FastCgiPeer> StartAsync(ProcessStartInfo start, string address, EndPoint endPoint, string documentRoot)
    {
        var process = CapturedProcess.Start(start);
        var peer = new FastCgiPeer(process, address, endPoint, documentRoot);
        var listening = await Eventually.TrueAsync(() => process.HasExited || Accepts(endPoint), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(20));
        if (!listening || process.HasExited)
        {
            await peer.DisposeAsync();
            throw new InvalidOperationException($"{process.FileName} did not start listening on {address}:\n{peer.Output}");
        }

        return peer;
    }

    private static bool Accepts(EndPoint endPoint)
    {
        var family = endPoint is UnixDomainSocketEndPoint ? AddressFamily.Unix : AddressFamily.InterNetwork;
        using var socket = new Socket(family, SocketType.Stream, family == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            socket.Connect(endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

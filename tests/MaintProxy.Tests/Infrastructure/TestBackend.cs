using Microsoft.Extensions.Configuration;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A real Kestrel backend on a loopback port that records every request it receives, with the
/// monotonic time of arrival. Answers 200 "backend ok" unless a handler says otherwise;
/// <c>/slow?ms=N</c> waits N milliseconds first.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private long _finished;

    private TestBackend(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>How many answers a backend from <see cref="StartCountingFinishedAsync"/> has written to their last byte.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    public static Task<TestBackend> StartAsync(Func<HttpContext, Task>? handler = null) =>
        StartAsync(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" }, handler);

    /// <summary>A backend that answers "slow done" (after <c>/slow?ms=N</c>'s wait) and counts the answers it has finished.</summary>
    public static async Task<TestBackend> StartCountingFinishedAsync()
    {
        TestBackend? backend = null;
        backend = await StartAsync(async context =>
        {
            await context.Response.WriteAsync("slow done", context.RequestAborted);
            await context.Response.CompleteAsync();
            Interlocked.Increment(ref backend!._finished);
        });
        return backend;
    }

    /// <summary>An HTTPS backend (HTTP/1.1 and HTTP/2 by ALPN) serving <paramref name="certificate"/>.</summary>
    /// <remarks>With <paramref name="requireClientCertificate"/>, a connection without a client certificate is refused in the handshake (any certificate will do).</remarks>
    public static Task<TestBackend> StartHttpsAsync(TestCertificate certificate, Func<HttpContext, Task>? handler = null, bool requireClientCertificate = false) =>
        StartAsync(new Dictionary<string, string?>
        {
            ["urls"] = "https://127.0.0.1:0",
            ["Kestrel:Certificates:Default:Path"] = certificate.CertificatePath,
            ["Kestrel:Certificates:Default:KeyPath"] = certificate.KeyPath,
        }, handler, requireClientCertificate);

    private static async Task<TestBackend> StartAsync(Dictionary<string, string?> settings, Func<HttpContext, Task>? handler, bool requireClientCertificate = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The proxy's appsettings.json sits in the test output too: the backend must not read it.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseKestrelHttpsConfiguration();
        if (requireClientCertificate)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                https.AllowAnyClientCertificate();
            }));
        }

        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new TestBackend(app);
        app.Run(context => backend.HandleAsync(context, handler));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        backend.Url = address.TrimEnd('/') + "/";
        return backend;
    }

    private async Task HandleAsync(HttpContext context, Func<HttpContext, Task>? handler)
    {
        var arrived = Stopwatch.GetTimestamp();
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        long bodyLength = 0;
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            bodyLength += read;
        }

        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, bodyLength, arrived,
            context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ""));

        if (request.Path.StartsWithSegments("/slow") && int.TryParse(request.Query["ms"], out var ms))
        {
            await Task.Delay(ms, context.RequestAborted);
        }

        if (handler is not null)
        {
            await handler(context);
            return;
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("backend ok " + request.Path, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

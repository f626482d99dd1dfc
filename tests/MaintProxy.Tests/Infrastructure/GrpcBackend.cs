using System.Buffers.Binary;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace MaintProxy.Tests.Infrastructure;

/// <summary>
/// A real Kestrel backend speaking cleartext HTTP/2 only (h2c) and gRPC's wire format by hand:
/// <c>application/grpc</c>, 5-byte length-prefixed messages, <c>grpc-status</c> trailers.
/// <c>/test.Echo/Unary</c> answers the one message it got; <c>/test.Echo/Stream</c> echoes each
/// message as it arrives (bidirectional streaming) and counts the bytes it received.
/// </summary>
internal sealed class GrpcBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _streamBytesReceived;
    private int _streamsEnded;

    private GrpcBackend(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>The request body bytes the streaming method has received, over every call.</summary>
    public long StreamBytesReceived => Interlocked.Read(ref _streamBytesReceived);

    /// <summary>How many calls of the streaming method have ended (completed, reset or aborted).</summary>
    public int StreamsEnded => Volatile.Read(ref _streamsEnded);

    /// <summary>The settings that send the proxy's cluster <c>app</c> to this backend over h2c.</summary>
    public Dictionary<string, string> ProxySettings() => new()
    {
        ["ReverseProxy:Clusters:app:Destinations:app:Address"] = Url,
        ["ReverseProxy:Clusters:app:HttpRequest:Version"] = "2",
        ["ReverseProxy:Clusters:app:HttpRequest:VersionPolicy"] = "RequestVersionExact",
    };

    public static async Task<GrpcBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new GrpcBackend(app);
        app.MapPost("/test.Echo/Unary", backend.UnaryAsync);
        app.MapPost("/test.Echo/Stream", backend.StreamAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        backend.Url = address.TrimEnd('/') + "/";
        return backend;
    }

    /// <summary>One gRPC message: a 0 (uncompressed) flag, its length big-endian, then its bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed.AsSpan(5));
        return framed;
    }

    private async Task UnaryAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Response.ContentType = "application/grpc";
        context.Response.DeclareTrailer("grpc-status");
        await context.Response.Body.WriteAsync(body.ToArray(), context.RequestAborted);
        context.Response.AppendTrailer("grpc-status", "0");
        context.Response.AppendTrailer("grpc-message", "unary ok");
    }

    private async Task StreamAsync(HttpContext context)
    {
        try
        {
            context.Response.ContentType = "application/grpc";
            await context.Response.StartAsync(context.RequestAborted);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                Interlocked.Add(ref _streamBytesReceived, read);
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            context.Response.AppendTrailer("grpc-status", "0");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The call was reset: what some tests are about.
        }
        finally
        {
            Interlocked.Increment(ref _streamsEnded);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using MaintProxy.Listeners;
using Microsoft.Extensions.Options;

namespace MaintProxy.Demo;

/// <summary>The demo backend's answers: enough to see forwarding work.</summary>
internal static class DemoBackendEndpoints
{
    private static readonly byte[] Body = "Hello from the MaintProxy demo backend: this response was forwarded.\n"u8.ToArray();

    public static IApplicationBuilder MapDemoBackend(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<DemoBackendOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var endPoint = LoopbackEndpoint.Parse(options.Url);
        return app.MapWhen(context => LoopbackEndpoint.IsConnectionTo(context, endPoint), demo => demo.Run(context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.ContentLength = Body.Length;
            return HttpMethods.IsHead(context.Request.Method)
                ? Task.CompletedTask
                : context.Response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
        }));
    }
}

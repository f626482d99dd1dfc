// The forwarding floor: Kestrel receives, HttpClient forwards over a keep-alive pool, the response is
// copied back. No YARP, no routing, no maintenance check, no log: what MaintProxy costs above this is
// its own pipeline; what this costs above nginx is Kestrel and .NET's sockets.
// Usage: dotnet ForwardingFloor.dll --urls http://127.0.0.1:PORT --Backend http://127.0.0.1:PORT/
// With --Page FILE instead it is the maintenance floor: Kestrel answers every request with a 503, the
// page and MaintProxy's headers, and nothing else runs.
using System.Net;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
if (builder.Configuration["Page"] is { } pagePath)
{
    var page = File.ReadAllBytes(pagePath);
    var maintenanceFloor = builder.Build();
    maintenanceFloor.Run(context =>
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers["X-Maintenance-Mode"] = "1";
        response.Headers.RetryAfter = "300";
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate";
        response.Headers.Vary = "Accept";
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = page.Length;
        return response.Body.WriteAsync(page).AsTask();
    });
    maintenanceFloor.Run();
    return;
}

var backend = new Uri(builder.Configuration["Backend"]
    ?? throw new InvalidOperationException("--Backend http://host:port/ is required"));
using var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
});

var hopByHop = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
{
    "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host",
};

var app = builder.Build();
app.Run(async context =>
{
    var incoming = context.Request;
    using var request = new HttpRequestMessage(new HttpMethod(incoming.Method),
        new Uri(backend, incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent()));
    if (incoming.ContentLength > 0 || incoming.Headers.ContainsKey("Transfer-Encoding"))
    {
        request.Content = new StreamContent(incoming.Body);
    }

    foreach (var (name, values) in incoming.Headers)
    {
        if (!hopByHop.Contains(name) && !request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
        {
            request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
    }

    using var response = await client.SendAsync(request, context.RequestAborted);
    context.Response.StatusCode = (int)response.StatusCode;
    foreach (var (name, values) in response.Headers.NonValidated)
    {
        if (!hopByHop.Contains(name))
        {
            foreach (var value in values)
            {
                context.Response.Headers.Append(name, value);
            }
        }
    }

    foreach (var (name, values) in response.Content.Headers.NonValidated)
    {
        foreach (var value in values)
        {
            context.Response.Headers.Append(name, value);
        }
    }

    await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
});
app.Run();

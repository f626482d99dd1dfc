namespace MaintProxy.Lifetime;

/// <summary>Puts the request count in front of the whole pipeline, the admin surface included.</summary>
internal sealed class ServedRequestsStartupFilter(ServedRequests requests) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(inner => context => requests.TrackAsync(context, inner));
        next(app);
    };
}

using System.Net;
using System.Net.Http.Headers;
using MaintProxy.Proxy;

namespace MaintProxy.Maintenance;

/// <summary>
/// The switch, asked again at the moment a request the proxy held back is about to leave for its
/// backend: a FastCGI request whose body was still being buffered, or that waited in the queue for a
/// worker, when <c>down.sh</c> returned. It has not reached the backend yet, so it gets the maintenance
/// answer now rather than run during the maintenance it was admitted just before.
/// </summary>
internal sealed class MaintenanceGate(MaintenanceState state, MaintenancePolicy policy, MaintenanceResponses responses, MaintenanceCounters counters, MaintenanceCors cors)
{
    /// <summary>The maintenance answer when a window now covers the request; null to send it on.</summary>
    public HttpResponseMessage? AnswerIfNowInMaintenance(HttpContext context)
    {
        var snapshot = state.ForDecision;
        if (!snapshot.IsDown)
        {
            return null;
        }

        // The secret that let it in has been taken off the request: decided once, it stays decided.
        var admitted = context.Features.Get<MaintenanceOutcomeFeature>()?.Outcome;
        if (admitted is MaintenanceOutcome.Bypassed)
        {
            return null;
        }

        var authority = HostNames.AuthorityOf(context);
        var window = snapshot.Match(authority, () => EndpointCluster.IdOf(context.GetEndpoint()), SentPathFeature.OtherReadingClusterIdOf(context),
            context.Request.Headers[MaintenanceMiddleware.ForwardedHostHeader]);
        if (window is null || policy.Decide(context, window, out _) != MaintenanceOutcome.Maintenance)
        {
            return null;
        }

        context.Features.Set(MaintenanceOutcomeFeature.For(MaintenanceOutcome.Maintenance));
        SentPathFeature.NoteWindow(context, window.Site);
        ForwardedHostWindowFeature.Note(context, window, authority);
        counters.Recount(admitted, MaintenanceOutcome.Maintenance);
        return Answer(context, window);
    }

    // The same answer as MaintenanceMiddleware.WriteMaintenanceAsync writes, as a message for YARP to copy.
    private HttpResponseMessage Answer(HttpContext context, MaintenanceWindow window)
    {
        var rendered = responses.For(window);
        var (body, contentType) = rendered.For(ResponseFormats.Negotiate(context.Request.Headers.Accept));
        var response = new HttpResponseMessage((HttpStatusCode)responses.StatusCode) { Content = new ByteArrayContent(body) };
        var headers = response.Headers;
        headers.TryAddWithoutValidation(MaintenanceMiddleware.ModeHeader, MaintenanceMiddleware.ModeOn.ToString());
        if (window.ReadOnly)
        {
            headers.TryAddWithoutValidation(MaintenanceMiddleware.ScopeHeader, MaintenanceMiddleware.ReadOnlyScope.ToString());
        }

        headers.TryAddWithoutValidation("Retry-After", rendered.RetryAfter.ToString());
        headers.TryAddWithoutValidation("Cache-Control", MaintenanceMiddleware.NoStore.ToString());
        headers.TryAddWithoutValidation("Vary", cors.Vary.ToString());
        if (cors.IsEnabled)
        {
            var corsHeaders = new HeaderDictionary();
            cors.AddHeaders(context.Request, corsHeaders);
            foreach (var (name, value) in corsHeaders)
            {
                headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType.ToString());
        // Set, not computed on demand: a lazily computed length is not among the headers YARP copies.
        response.Content.Headers.ContentLength = body.Length;
        return response;
    }
}

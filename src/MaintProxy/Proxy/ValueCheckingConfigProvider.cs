using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace MaintProxy.Proxy;

/// <summary>
/// YARP's configuration reader, with <see cref="ClusterSettingsValues"/> checked before it reads: a value
/// it cannot convert stops the start naming the key. A saved edit with such a value is named once in the
/// log too: YARP keeps the routes in use and reads the next edit, but its own line names neither the key
/// nor the value (<see cref="ConfigurationConversionLogFilter"/> drops it). Routes that match the same
/// requests (<see cref="RoutesWithOneMatch"/>) stop the start; saved, they are named once and the
/// routes and clusters in use stay.
/// </summary>
internal sealed class ValueCheckingConfigProvider : IProxyConfigProvider, IDisposable
{
    private readonly IProxyConfigProvider _reader;
    private readonly IConfiguration _reverseProxy;
    private readonly ILogger _logger;
    private readonly IDisposable _reloads;
    private readonly Lock _gate = new();
    private string? _reportedProblem;
    private string? _reportedRoutesProblem;
    private IProxyConfig? _applied;

    public ValueCheckingConfigProvider(IProxyConfigProvider reader, IConfiguration reverseProxy, ILogger<ValueCheckingConfigProvider> logger)
    {
        _reader = reader;
        _reverseProxy = reverseProxy;
        _logger = logger;
        _reloads = ChangeToken.OnChange(reverseProxy.GetReloadToken, CheckReloaded);
    }

    public IProxyConfig GetConfig()
    {
        ClusterSettingsValues.Check(_reverseProxy);
        var config = _reader.GetConfig();
        var problem = RoutesWithOneMatch.FindProblem(config.Routes);
        lock (_gate)
        {
            if (problem is null)
            {
                _applied = config;
                _reportedRoutesProblem = null;
                return config;
            }

            if (_applied is null)
            {
                throw new InvalidOperationException(problem);
            }

            // Not thrown on a reload: YARP would then stop watching the file and poll it only every few minutes.
            if (problem != _reportedRoutesProblem)
            {
                ProxyLog.EditNotApplied(_logger, problem);
                _reportedRoutesProblem = problem;
            }

            return new HeldProxyConfig(_applied, config.ChangeToken);
        }
    }

    public void Dispose()
    {
        _reloads.Dispose();
        (_reader as IDisposable)?.Dispose();
    }

    // Every reload of any settings source lands here: the same problem is named once, until it is fixed.
    private void CheckReloaded()
    {
        var problem = ClusterSettingsValues.FindProblem(_reverseProxy);
        lock (_gate)
        {
            if (problem is not null && problem != _reportedProblem)
            {
                ProxyLog.EditNotApplied(_logger, problem);
            }

            _reportedProblem = problem;
        }
    }
}

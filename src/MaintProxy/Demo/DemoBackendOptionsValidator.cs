using MaintProxy.Listeners;
using Microsoft.Extensions.Options;

namespace MaintProxy.Demo;

internal sealed class DemoBackendOptionsValidator : IValidateOptions<DemoBackendOptions>
{
    public ValidateOptionsResult Validate(string? name, DemoBackendOptions options) =>
        !options.Enabled || LoopbackEndpoint.TryParse(options.Url, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"DemoBackend:Url {error}.");
}

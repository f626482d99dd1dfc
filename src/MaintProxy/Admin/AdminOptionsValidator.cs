using MaintProxy.Listeners;
using Microsoft.Extensions.Options;

namespace MaintProxy.Admin;

internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        LoopbackEndpoint.TryParse(options.Url, out var endPoint, out var error)
            ? endPoint.Port == 0
                ? ValidateOptionsResult.Fail("Admin:Url needs a fixed port: the scripts must know where to ask.")
                : ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Admin:Url {error}. The status surface listens on loopback only.");
}

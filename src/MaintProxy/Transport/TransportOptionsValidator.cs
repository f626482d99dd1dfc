using Microsoft.Extensions.Options;

namespace MaintProxy.Transport;

internal sealed class TransportOptionsValidator : IValidateOptions<TransportOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportOptions options) =>
        options.EventLoopThreads is < 0 or > TransportOptions.MaxEventLoopThreads
            ? ValidateOptionsResult.Fail(
                $"Transport:EventLoopThreads must be 0 (one per core) or 1 to {TransportOptions.MaxEventLoopThreads}; it is {options.EventLoopThreads}.")
            : ValidateOptionsResult.Success;
}

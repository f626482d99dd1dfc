using Microsoft.Extensions.Options;

namespace MaintProxy.Hosting;

internal sealed class ConsoleLogOptionsValidator : IValidateOptions<ConsoleLogOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleLogOptions options) =>
        options.MaxWaitWhenFull < TimeSpan.Zero || options.MaxWaitWhenFull > ConsoleLogOptions.MaxMaxWaitWhenFull
            ? ValidateOptionsResult.Fail(
                $"{ConsoleLogOptions.SectionName}:MaxWaitWhenFull must be from 00:00:00 to {ConsoleLogOptions.MaxMaxWaitWhenFull:c}; it is {options.MaxWaitWhenFull:c}.")
            : ValidateOptionsResult.Success;
}

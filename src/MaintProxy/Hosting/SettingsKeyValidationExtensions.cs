using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MaintProxy.Hosting;

internal static class SettingsKeyValidationExtensions
{
    /// <summary>The options' <c>[Range]</c> and <c>[Required]</c> attributes, checked with errors that name the settings key.</summary>
    public static OptionsBuilder<TOptions> ValidateAttributesNamingKeys<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        this OptionsBuilder<TOptions> builder, string sectionName) where TOptions : class
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SettingsKeyDataAnnotationsValidator<TOptions>(sectionName)));
        return builder;
    }
}

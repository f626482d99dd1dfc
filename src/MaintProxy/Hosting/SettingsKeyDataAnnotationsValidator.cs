using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace MaintProxy.Hosting;

/// <summary>
/// Checks an options class's <c>[Range]</c> and <c>[Required]</c> attributes, as
/// <c>ValidateDataAnnotations</c> does, but says it the way an operator edits it: the settings key, what
/// is allowed and the value found (<c>Maintenance:StatusCode must be from 400 to 599; it is 200.</c>),
/// not the options class and its member.
/// </summary>
internal sealed class SettingsKeyDataAnnotationsValidator<
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(string sectionName)
    : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(options);
            foreach (var rule in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!rule.IsValid(value))
                {
                    failures.Add($"{sectionName}:{property.Name} must {Allowed(rule)}; it is {Shown(value)}.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Allowed(ValidationAttribute rule) => rule switch
    {
        RequiredAttribute => "be set",
        RangeAttribute { Maximum: double max } range when max >= long.MaxValue => $"be {Shown(range.Minimum)} or more",
        RangeAttribute range => $"be from {Shown(range.Minimum)} to {Shown(range.Maximum)}",
        _ => "be valid: " + rule.FormatErrorMessage("it"),
    };

    private static string Shown(object? value) => value switch
    {
        null => "not set",
        string { Length: 0 } => "empty",
        string text => $"'{text}'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

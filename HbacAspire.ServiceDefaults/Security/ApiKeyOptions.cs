using System.ComponentModel.DataAnnotations;
using Hbac.Contracts.Security;

namespace HbacAspire.ServiceDefaults.Security;

/// <summary>
/// The "Hbac" section's key settings. A service with neither a key nor the explicit opt-out refuses to
/// start: these services hold patient data and start training or swap models on request, so a missing
/// setting must never silently open them to whoever reaches the port. The opt-out exists for a service
/// run by hand on a developer's own machine, and is logged as a warning at start.
/// </summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string Section = "Hbac";

    /// <summary>The key callers must send as <c>authorization: Bearer &lt;key&gt;</c> (the AppHost passes its parameter).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Local development only: serve every caller without a key.</summary>
    public bool AllowUnauthenticated { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(ApiKey))
        {
            if (!AllowUnauthenticated)
            {
                yield return new ValidationResult(
                    $"{ApiKeys.ServiceSetting} is not set: every RPC but health and reflection requires 'authorization: Bearer <key>'. " +
                    $"Set {ApiKeys.ServiceSetting} (environment Hbac__ApiKey; the AppHost passes its secret parameter '{ApiKeys.ParameterName}', " +
                    $"kept in <--home>/{ApiKeys.FileName}), or set {ApiKeys.AllowUnauthenticatedSetting}=true to serve anyone (local development only).",
                    [nameof(ApiKey)]);
            }
            yield break;
        }
        if (AllowUnauthenticated)
        {
            yield return new ValidationResult(
                $"{ApiKeys.ServiceSetting} and {ApiKeys.AllowUnauthenticatedSetting}=true are both set: a service either requires its key or serves anyone; remove one",
                [nameof(ApiKey), nameof(AllowUnauthenticated)]);
        }
        if (ApiKeys.Problem(ApiKey) is { } problem)
        {
            yield return new ValidationResult($"{ApiKeys.ServiceSetting} {problem}", [nameof(ApiKey)]);
        }
    }
}

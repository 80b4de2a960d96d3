using Hbac.Contracts.V1;

namespace HbacAspire.AppHost.Jobs;

/// <summary>
/// The versions inference serves, one per input kind (ListModels' <c>active_version</c> and
/// <c>active_eeg_version</c>; empty = none), the precision of the file serving each, and how the job's
/// lines and the ready line name them.
/// </summary>
public sealed record ServedModels(string Spectrogram, string Eeg, string SpectrogramPrecision = "", string EegPrecision = "")
{
    /// <summary>The kinds the job trains, in the order it trains them (the spectrogram model first: Score needs it, and it is the faster one).</summary>
    public static readonly IReadOnlyList<ModelInputKind> Kinds = [ModelInputKind.Spectrogram, ModelInputKind.Eeg];

    public static ServedModels From(ListModelsResponse models) => new(models.ActiveVersion, models.ActiveEegVersion,
        models.ServedPrecision(models.ActiveVersion), models.ServedPrecision(models.ActiveEegVersion));

    /// <summary>The served version of <paramref name="kind"/>; empty when none.</summary>
    public string Of(ModelInputKind kind) => kind == ModelInputKind.Eeg ? Eeg : Spectrogram;

    public bool Any => Spectrogram.Length > 0 || Eeg.Length > 0;

    public bool All => Kinds.All(k => Of(k).Length > 0);

    /// <summary>"spectrogram model A and EEG model B (int8)"; a kind without a served model says so.</summary>
    public string Describe() => string.Join(" and ", Kinds.Select(k => Of(k) is { Length: > 0 } version
        ? $"{Label(k)} model {version}{((k == ModelInputKind.Eeg ? EegPrecision : SpectrogramPrecision) == "int8" ? " (int8)" : "")}"
        : $"no {Label(k)} model"));

    /// <summary>How lines name a kind: "spectrogram" or "EEG".</summary>
    public static string Label(ModelInputKind kind) => kind switch
    {
        ModelInputKind.Eeg => "EEG",
        ModelInputKind.Spectrogram => "spectrogram",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a model input kind"),
    };
}

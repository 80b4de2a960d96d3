namespace Hbac.Eeg.Montage;

/// <summary>
/// The Kaggle EEG layout and the "double banana" bipolar montage behind the four spectrogram regions
/// (DESIGN.md section 2).
/// </summary>
public static class KaggleMontage
{
    public const int SampleRateHz = 200;

    /// <summary>The 20 columns of a Kaggle EEG parquet, in file order.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1", "Fz", "Cz", "Pz", "Fp2", "F4", "C4", "P4", "F8", "T4", "T6", "O2", "EKG"];

    /// <summary>The 19 scalp electrodes (the columns without EKG).</summary>
    public static readonly IReadOnlyList<string> Electrodes = [.. Columns.Take(19)];

    public static readonly IReadOnlyList<string> Regions = ["LL", "RL", "LP", "RP"];

    /// <summary>Bipolar pairs (a - b) of each region, in <see cref="Regions"/> order.</summary>
    public static readonly IReadOnlyList<IReadOnlyList<(string A, string B)>> RegionPairs =
    [
        [("Fp1", "F7"), ("F7", "T3"), ("T3", "T5"), ("T5", "O1")],
        [("Fp2", "F8"), ("F8", "T4"), ("T4", "T6"), ("T6", "O2")],
        [("Fp1", "F3"), ("F3", "C3"), ("C3", "P3"), ("P3", "O1")],
        [("Fp2", "F4"), ("F4", "C4"), ("C4", "P4"), ("P4", "O2")],
    ];

    /// <summary>
    /// The 16 electrodes of the double-banana chains, in <see cref="Electrodes"/> order: every model input is
    /// computed from these alone, so a recording needs them and not Fz, Cz or Pz.
    /// </summary>
    public static readonly IReadOnlyList<string> ChainElectrodes =
        [.. Electrodes.Where(e => RegionPairs.Any(region => region.Any(pair => pair.A == e || pair.B == e)))];

    /// <summary>The 16 chains (a - b) in <see cref="RegionPairs"/> order, region by region.</summary>
    public static readonly IReadOnlyList<(string A, string B)> Chains = [.. RegionPairs.SelectMany(region => region)];

    /// <summary>The chains' names, "Fp1-F7", ..., in <see cref="Chains"/> order.</summary>
    public static readonly IReadOnlyList<string> ChainNames = [.. Chains.Select(chain => $"{chain.A}-{chain.B}")];

    /// <summary>True for an electrode in some double-banana chain (false for Fz, Cz, Pz and EKG).</summary>
    public static bool InChain(string canonicalName) => ChainElectrodes.Contains(canonicalName);

    /// <summary>Index of an electrode in <see cref="Columns"/> (exact canonical name), or -1.</summary>
    public static int ColumnIndex(string canonicalName)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == canonicalName)
            {
                return i;
            }
        }
        return -1;
    }
}

namespace Hbac.Eeg.Montage;

/// <summary>
/// Maps recording-system channel labels to the canonical names of <see cref="KaggleMontage.Columns"/>.
/// Tolerated: case (FP1, fp1), PhysioNet's padding dots (Fp1., T7..), a type prefix (EEG, POL),
/// a reference suffix (-REF, -LE, -RE, -AVG, -A1, -A2, -M1, -M2, ...), and the 10-10 names
/// T7/T8/P7/P8 for the 10-20 names T3/T4/T5/T6. Bipolar derivations such as "Fp1-F7" are not an
/// electrode and map to null (<see cref="BipolarChains"/> reads them), as does anything else that is not one
/// of the 19 electrodes or EKG/ECG.
/// </summary>
public static class ElectrodeNames
{
    private static readonly Dictionary<string, string> Electrodes = BuildElectrodes();

    // Reference electrodes/schemes that may follow a dash in a referential (monopolar) label.
    private static readonly HashSet<string> References =
    [
        "REF", "LE", "RE", "AVG", "AV", "AR", "CAR", "A1", "A2", "A1A2", "A12", "M1", "M2", "M1M2", "LINKED", "LER", "REF1", "GND", "COM",
    ];

    private static readonly HashSet<string> Cardiac = ["EKG", "ECG", "EKG1", "ECG1", "EKGL", "EKGR", "ECGL", "ECGR"];

    /// <summary>The canonical name ("Fp1", ..., "O2", "EKG") of a channel label, or null for any other channel.</summary>
    public static string? Canonical(string label)
    {
        var name = Normalised(label);
        if (name.Length == 0)
        {
            return null;
        }
        if (name.StartsWith("ECG ", StringComparison.Ordinal) || name.StartsWith("EKG ", StringComparison.Ordinal))
        {
            return "EKG";
        }
        var dash = name.IndexOf('-');
        if (dash >= 0)
        {
            var reference = name[(dash + 1)..].Trim().Replace("+", "", StringComparison.Ordinal);
            if (!References.Contains(reference))
            {
                // "EKG1-EKG2" is still the cardiac lead; a bipolar EEG derivation is not an electrode.
                return Cardiac.Contains(name[..dash].Trim()) ? "EKG" : null;
            }
            name = name[..dash].Trim();
        }
        if (Cardiac.Contains(name))
        {
            return "EKG";
        }
        return Electrodes.GetValueOrDefault(name);
    }

    /// <summary>A label upper-cased, without PhysioNet's padding dots and without a type prefix (EEG, POL).</summary>
    internal static string Normalised(string label)
    {
        var name = label.Trim().TrimEnd('.').Trim().ToUpperInvariant();
        foreach (var prefix in (ReadOnlySpan<string>)["EEG ", "EEG-", "EEG:", "POL ", "EEG_"])
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return name[prefix.Length..].TrimStart();
            }
        }
        return name;
    }

    private static Dictionary<string, string> BuildElectrodes()
    {
        var map = KaggleMontage.Electrodes.ToDictionary(e => e.ToUpperInvariant(), e => e, StringComparer.Ordinal);
        // 10-10 nomenclature renamed the temporal and posterior temporal electrodes.
        map["T7"] = "T3";
        map["T8"] = "T4";
        map["P7"] = "T5";
        map["P8"] = "T6";
        return map;
    }
}

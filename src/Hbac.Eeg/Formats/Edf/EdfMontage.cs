using Hbac.Eeg.Montage;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>
/// Which signals of an EDF/BDF fill the Kaggle columns. A referential file has one signal per electrode and
/// needs the 16 chain electrodes (<see cref="KaggleMontage.ChainElectrodes"/>; Fz, Cz and Pz are read when
/// present); so is one whose labels name a common reference outside the chains ("Fp1-Cz", "F3-Cz", ...). A
/// bipolar file, one that lacks them, is read when it holds the 16 double-banana chains as derivations
/// (<see cref="BipolarChains"/>). A cardiac channel fills the EKG column either way.
/// </summary>
public sealed class EdfMontage
{
    private EdfMontage(int[] signalOfColumn, (int Signal, int Sign)[]? chains, IReadOnlyList<(string Canonical, string Label)> mapped)
    {
        SignalOfColumn = signalOfColumn;
        Chains = chains;
        Mapped = mapped;
    }

    /// <summary>Per Kaggle column, the signal read into it as it is, or -1 (the chain electrodes of a bipolar file are -1).</summary>
    public int[] SignalOfColumn { get; }

    /// <summary>For a bipolar file, per chain (<see cref="KaggleMontage.Chains"/> order) its signal and +1/-1 for A-B/B-A; otherwise null.</summary>
    public (int Signal, int Sign)[]? Chains { get; }

    public bool Bipolar => Chains is not null;

    /// <summary>"referential" or "bipolar".</summary>
    public string Kind => Bipolar ? "bipolar" : "referential";

    /// <summary>What was found, as (canonical name, the file's label): electrodes, or chains such as "Fp1-F7"; and EKG.</summary>
    public IReadOnlyList<(string Canonical, string Label)> Mapped { get; }

    /// <summary>The scalp electrodes whose columns hold signal, in <see cref="KaggleMontage.Electrodes"/> order.</summary>
    public IReadOnlyList<string> Electrodes => Bipolar
        ? KaggleMontage.ChainElectrodes
        : [.. KaggleMontage.Electrodes.Where(e => SignalOfColumn[KaggleMontage.ColumnIndex(e)] >= 0)];

    /// <summary>Every signal read, each once.</summary>
    public IEnumerable<int> Signals => SignalOfColumn.Where(s => s >= 0).Concat(Chains?.Select(c => c.Signal) ?? []).Distinct();

    /// <param name="labels">Every signal's label, null for signals that are not EEG (annotations).</param>
    /// <param name="source">The file, named in the refusal.</param>
    public static EdfMontage Resolve(IReadOnlyList<string?> labels, string source)
    {
        if (TryResolve(labels) is { } montage)
        {
            return montage;
        }
        var columns = ElectrodeColumns(labels);
        var missing = KaggleMontage.ChainElectrodes.Where(e => columns[KaggleMontage.ColumnIndex(e)] < 0).ToList();
        throw TooFewElectrodes(source, missing, BipolarChains.Find(labels), labels);
    }

    /// <summary>As <see cref="Resolve"/>, but null for a file with neither the chain electrodes nor the chains.</summary>
    public static EdfMontage? TryResolve(IReadOnlyList<string?> labels)
    {
        var signalOfColumn = ElectrodeColumns(labels);
        var missing = KaggleMontage.ChainElectrodes.Where(e => signalOfColumn[KaggleMontage.ColumnIndex(e)] < 0).ToList();
        if (missing.Count == 0)
        {
            return Referential(signalOfColumn, labels);
        }
        if (missing.Count == KaggleMontage.ChainElectrodes.Count && CommonReference(labels, signalOfColumn) is { } referenced)
        {
            return Referential(referenced, labels);
        }
        var chains = BipolarChains.Find(labels);
        var ekg = KaggleMontage.ColumnIndex("EKG");
        if (chains.All(c => c is not null))
        {
            // The chains alone: a referential electrode that a bipolar file also carries would not agree with them.
            var bipolarColumns = Enumerable.Repeat(-1, KaggleMontage.Columns.Count).ToArray();
            bipolarColumns[ekg] = signalOfColumn[ekg];
            var read = chains.Select(c => c!.Value).ToArray();
            IEnumerable<(string, string)> mapped = read.Select((c, k) => (KaggleMontage.ChainNames[k], labels[c.Index]!));
            if (bipolarColumns[ekg] >= 0)
            {
                mapped = mapped.Append(("EKG", labels[bipolarColumns[ekg]]!));
            }
            return new EdfMontage(bipolarColumns, [.. read.Select(c => (c.Index, c.Sign))], [.. mapped]);
        }
        return null;
    }

    private static EdfMontage Referential(int[] signalOfColumn, IReadOnlyList<string?> labels) =>
        new(signalOfColumn, null,
            [.. KaggleMontage.Columns.Select((c, i) => (c, i)).Where(x => signalOfColumn[x.i] >= 0).Select(x => (x.c, labels[signalOfColumn[x.i]]!))]);

    /// <summary>
    /// A referential recording whose labels name its reference electrode: "Fp1-Cz", "EEG F3-CZ", ... Each such
    /// signal is its first electrode against the reference, as a referential file's are against theirs, so the
    /// chains come out the same. The reference must be one electrode outside the chains (Fz, Cz or Pz; its own
    /// column stays empty) under which all 16 chain electrodes are found; otherwise null. Other columns
    /// (EKG) keep what <paramref name="electrodeColumns"/> found.
    /// </summary>
    private static int[]? CommonReference(IReadOnlyList<string?> labels, int[] electrodeColumns)
    {
        var pairs = labels.Select((label, index) => (Pair: label is null ? null : BipolarChains.Parse(label), Index: index))
            .Where(p => p.Pair is not null)
            .Select(p => (p.Pair!.Value.A, p.Pair.Value.B, p.Index))
            .ToList();
        foreach (var reference in pairs.Select(p => p.B).Distinct().Where(r => !KaggleMontage.InChain(r)))
        {
            var columns = (int[])electrodeColumns.Clone();
            foreach (var (a, _, index) in pairs.Where(p => p.B == reference))
            {
                var column = KaggleMontage.ColumnIndex(a);
                if (column >= 0 && columns[column] < 0)
                {
                    columns[column] = index;
                }
            }
            if (KaggleMontage.ChainElectrodes.All(e => columns[KaggleMontage.ColumnIndex(e)] >= 0))
            {
                return columns;
            }
        }
        return null;
    }

    /// <summary>
    /// Per Kaggle column, the index of the first label naming that electrode (or EKG) as a referential signal
    /// (<see cref="ElectrodeNames.Canonical"/>), or -1; null labels are skipped.
    /// </summary>
    internal static int[] ElectrodeColumns(IReadOnlyList<string?> labels)
    {
        var signalOfColumn = Enumerable.Repeat(-1, KaggleMontage.Columns.Count).ToArray();
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] is { } label && ElectrodeNames.Canonical(label) is { } canonical)
            {
                var column = KaggleMontage.ColumnIndex(canonical);
                if (column >= 0 && signalOfColumn[column] < 0)
                {
                    signalOfColumn[column] = i;
                }
            }
        }
        return signalOfColumn;
    }

    /// <summary>The one-line refusal of a file with neither the chain electrodes nor the chains.</summary>
    internal static EegDataException TooFewElectrodes(string source, IReadOnlyList<string> missing, (int Index, int Sign)?[] chains, IReadOnlyList<string?> labels)
    {
        var present = labels.OfType<string>().ToList();
        var found = chains.Count(c => c is not null);
        var bipolar = found == 0 ? "" :
            $", nor the {KaggleMontage.Chains.Count} double-banana chains as bipolar derivations ({KaggleMontage.Chains.Count - found} missing: " +
            $"{string.Join(", ", KaggleMontage.ChainNames.Where((_, k) => chains[k] is null))})";
        return EegDataException.InFile(source,
            $"too few montage electrodes: {missing.Count} of the {KaggleMontage.ChainElectrodes.Count} the double-banana chains need are missing ({string.Join(", ", missing)}){bipolar}; " +
            $"labels found: {(present.Count == 0 ? "none" : string.Join(", ", present))}");
    }
}

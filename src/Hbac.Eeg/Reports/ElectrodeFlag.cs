namespace Hbac.Eeg.Reports;

/// <summary>One bad electrode of a segment and why.</summary>
public sealed record ElectrodeFlag(string Electrode, ElectrodeProblem Problem)
{
    public override string ToString() => $"{Electrode}:{Problem.ToString().ToLowerInvariant()}";
}

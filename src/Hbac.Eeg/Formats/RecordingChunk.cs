namespace Hbac.Eeg.Formats;

/// <summary>
/// One chunk of a <see cref="ChunkedRecording"/>: the 20 Kaggle columns the models read and, for a file stored
/// in a bipolar montage, its 16 chains as the file holds them (<see cref="Montage.KaggleMontage.Chains"/> order,
/// microvolts, at 200 Hz) before they became electrodes: the report judges signal quality on those, so a dead,
/// bridged or clipped derivation shows as itself.
/// </summary>
public sealed record RecordingChunk(float[][] Columns, float[][]? Chains)
{
    /// <summary>Samples per channel.</summary>
    public int Samples => Columns[0].Length;
}

using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Formats;

/// <summary>
/// One chunk of a <see cref="ChunkedRecording"/>: the 20 Kaggle columns the models read and, for a file stored
/// in a bipolar montage, its 16 chains as the file holds them (<see cref="Montage.KaggleMontage.Chains"/> order,
/// microvolts, at 200 Hz) before they became electrodes. Signal quality is judged on the file's own signals, so a
/// dead, bridged or clipped derivation shows as itself: from <see cref="SourceSeconds"/> where the chunk carries
/// them (every EDF/BDF file), else from these chains or columns.
/// </summary>
/// <param name="SourceSeconds">
/// For an EDF/BDF file, the quality statistics of each whole second of the file's own samples (at its own rate,
/// before resampling) completed since the previous chunk: one entry per signal quality judges, the 19 electrodes
/// in <see cref="Montage.KaggleMontage.Electrodes"/> order (an electrode the file lacks is empty) or a bipolar file's
/// 16 chains. Resampling a clipped signal rings around the rail, so only the source samples show the clipping.
/// Null for recordings already at 200 Hz in memory (Kaggle parquet), whose columns are judged as they are.
/// </param>
public sealed record RecordingChunk(float[][] Columns, float[][]? Chains, IReadOnlyList<SecondStatistics[]>? SourceSeconds = null)
{
    /// <summary>Samples per channel.</summary>
    public int Samples => Columns[0].Length;
}

namespace Hbac.Learning.Training;

/// <summary>
/// One labelled window (a train.csv row) as training sees it: the 600-s spectrogram window, and the
/// 50-s EEG window around the same labelled 10 s. <paramref name="Votes"/> is the normalised vote
/// distribution over the six classes.
/// </summary>
public sealed record TrainingWindow(
    long LabelId,
    long EegId,
    long SpectrogramId,
    double OffsetSeconds,
    long PatientId,
    int Consensus,
    float[] Votes)
{
    /// <summary>What the run's window source reads: the spectrogram id, or the EEG id for an EEG-window run.</summary>
    public long InputId { get; init; } = SpectrogramId;

    /// <summary>The offset the source reads at: the spectrogram's, or <c>eeg_label_offset_seconds</c> for an EEG-window run.</summary>
    public double InputOffsetSeconds { get; init; } = OffsetSeconds;

    /// <summary>How many expert votes <see cref="Votes"/> was normalised from (the weight of the row when votes are pooled).</summary>
    public double ExpertVotes { get; init; } = 1;

    /// <summary>The target the loss pulls towards: the vote distribution (pooled or not) or the one-hot consensus.</summary>
    public float[] Target(LabelTargets targets)
    {
        if (targets != LabelTargets.Consensus)
        {
            return Votes;
        }
        var oneHot = new float[Votes.Length];
        oneHot[Consensus] = 1f;
        return oneHot;
    }
}

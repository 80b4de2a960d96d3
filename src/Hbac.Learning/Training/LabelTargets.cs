namespace Hbac.Learning.Training;

/// <summary>What a window is trained towards.</summary>
public enum LabelTargets
{
    /// <summary>The experts' normalised vote distribution (what the Kaggle metric scores).</summary>
    Votes,

    /// <summary>One-hot <c>expert_consensus</c>, as the seed trained.</summary>
    Consensus,

    /// <summary>
    /// The votes of every training row of the same EEG added together (<see cref="VotePooling"/>), as many Kaggle
    /// solutions grouped train.csv by <c>eeg_id</c>. Validation still scores each row against its own votes.
    /// </summary>
    PooledVotes,
}

public static class LabelTargetsParser
{
    public static LabelTargets Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "votes" => LabelTargets.Votes,
        "consensus" => LabelTargets.Consensus,
        "pooled" => LabelTargets.PooledVotes,
        _ => throw new Hbac.Eeg.EegDataException($"--labels: unknown value '{value}' (expected votes, consensus or pooled)"),
    };

    public static string Name(this LabelTargets targets) => targets switch
    {
        LabelTargets.Votes => "votes",
        LabelTargets.Consensus => "consensus",
        _ => "pooled",
    };
}

namespace Hbac.Learning.Training;

/// <summary>
/// A run's training loss or validation probabilities stopped being finite numbers. Not a bug in the input: the message
/// says where, and what to try.
/// </summary>
public sealed class TrainingDivergedException(string where) : Exception(
    $"training diverged: {where}. A run is deterministic for its seed: if the same command trained through before, this " +
    "is the libtorch fault in src/Hbac.Learning/Training/README.md (\"A run that goes NaN\"), so run it again in a new " +
    "process; if it diverges at the same point again, the recipe does, and a lower --lr may train")
{
    /// <summary>Where: "the loss of epoch 3, step 5 is NaN (learning rate ...)" or "epoch 3's validation probabilities ...".</summary>
    public string Where { get; } = where;
}

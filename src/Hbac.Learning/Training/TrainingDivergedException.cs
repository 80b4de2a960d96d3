namespace Hbac.Learning.Training;

/// <summary>
/// A run's training loss or validation probabilities stopped being finite numbers. Not a bug in the input: the message
/// says where, <see cref="Point"/> names the step (two attempts from one seed diverging at the same point is the recipe),
/// and <see cref="ChannelsLast"/> says whether channels-last kernels computed it.
/// </summary>
public sealed class TrainingDivergedException(string message, string point, bool channelsLast) : Exception(message)
{
    /// <summary>Where: "epoch 3 step 5" or "epoch 3 validation".</summary>
    public string Point { get; } = point;

    /// <summary>The run trained with channels-last convolutions (all of them or all but those found wrong).</summary>
    public bool ChannelsLast { get; } = channelsLast;
}

namespace Hbac.Learning.Training;

/// <summary>Named starting points for <see cref="TrainingOptions"/>.</summary>
public static class TrainingProfiles
{
    public static readonly IReadOnlyList<string> Names = ["seed", "quick"];

    /// <summary>
    /// <c>seed</c>: the seed's recipe (13 epochs, batch 64, full 400x300, fold 0 of 5, MixUp and masks).
    /// <c>quick</c>: sized for the built-in synthetic data (~460 windows) on 2 CPU cores (under 5 minutes):
    /// the model averages the input down 8x (50x37 inside the network) and trains 16 epochs of batch 16 with every augmentation on every batch.
    /// For <see cref="ModelInputKind.Eeg"/> the quick profile averages 4x (100x75): 8x blocks of rows
    /// straddle two chains' 25 frequency rows (measured on the default synthetic data, fold 0, with the
    /// hemisphere flip: validation KL 0.766 at 8x, 0.684 and 0.760 at 4x with seeds 42 and 7).
    /// </summary>
    public static TrainingOptions Create(string profile, string model, ModelInputKind kind = ModelInputKind.Spectrogram) => profile.Trim().ToLowerInvariant() switch
    {
        "seed" => new TrainingOptions { Model = model, Profile = "seed" },
        "quick" => new TrainingOptions
        {
            Model = model,
            Profile = "quick",
            Epochs = 16,
            BatchSize = 16,
            InputDownsample = kind == ModelInputKind.Eeg ? 4 : 8,
            // Every batch mixed and masked: with a few dozen patients this is what keeps the validation
            // KL falling (p = 0.5 overfits: 1.00 vs 0.93 on the default synthetic data).
            Augmentation = new AugmentationOptions(Probability: 1.0),
            // A few hundred windows from a few dozen patients: a short, fast schedule (peak 1e-3).
            LearningRateStart = 1e-3,
            LearningRateMaxPerSample = 1e-3 / 16,
            LearningRateMin = 1e-4,
            LearningRateRampEpochs = 1,
        },
        _ => throw new Hbac.Eeg.EegDataException($"--profile: unknown profile '{profile}' (known: {string.Join(", ", Names)})"),
    };
}

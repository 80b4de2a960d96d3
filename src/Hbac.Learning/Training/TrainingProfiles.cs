using Hbac.Onnx;
namespace Hbac.Learning.Training;

/// <summary>Named starting points for <see cref="TrainingOptions"/>.</summary>
public static class TrainingProfiles
{
    public static readonly IReadOnlyList<string> Names = ["seed", "quick"];

    /// <summary>
    /// <c>seed</c>: the seed's recipe (13 epochs, batch 64, full 400x300, fold 0 of 5, MixUp and masks, every core).
    /// <c>quick</c>: sized for the built-in synthetic data (~460 windows) on 2 CPU cores: 16 epochs of batch 16
    /// with every augmentation on every batch, on one torch thread, the input averaged inside the network (6x6
    /// for spectrograms: 66x50; for <see cref="ModelInputKind.Eeg"/> 30 time frames, every frequency row kept: 400x10),
    /// then a second stage of 12 epochs on the windows at least 10 experts voted on.
    /// What was measured to choose each setting, and what was tried and not kept, is in Training/README.md.
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
            // EEG rows are 25 frequencies per chain, columns 1/6-s frames: the classes differ in spectrum and
            // left/right asymmetry more than in time, so EEG keeps every frequency row and pools time 30x (400x10).
            // Spectrograms pool 6x6 (66x50): with the second stage below, better than 8x8 with every seed and fold tried.
            InputDownsample = kind == ModelInputKind.Eeg ? 1 : 6,
            InputDownsampleColumns = kind == ModelInputKind.Eeg ? 30 : null,
            // Every batch mixed and masked: with a few dozen patients this is what keeps the validation
            // KL falling (p = 0.5 overfits: 1.00 vs 0.93 on the default synthetic data).
            Augmentation = new AugmentationOptions(Probability: 1.0),
            // A few hundred windows from a few dozen patients: a short, fast schedule (peak 1e-3).
            LearningRateStart = 1e-3,
            LearningRateMaxPerSample = 1e-3 / 16,
            LearningRateMin = 1e-4,
            LearningRateRampEpochs = 1,
            // MixUp on every batch leaves both models underconfident, so their probabilities are sharpened,
            // softmax(logits / T), with T chosen on folds other than 0: EEG 0.8 (folds 1 and 2: validation KL 0.619 and
            // 0.662 against 0.642 and 0.668 at 1); spectrogram 0.9, better than 1 on each of folds 1-4 (mean 0.713 against 0.722).
            OutputTemperature = kind == ModelInputKind.Eeg ? 0.8 : 0.9,
            // Then 12 epochs on the windows at least 10 experts voted on, from lr 2e-4 (the two-stage recipe of HMS solutions).
            FineTuneEpochs = 12,
            // Layers this small do not split well over threads: two runs of one thread each beat one run of two.
            Threads = 1,
        },
        _ => throw new Hbac.Eeg.EegDataException($"--profile: unknown profile '{profile}' (known: {string.Join(", ", Names)})"),
    };
}

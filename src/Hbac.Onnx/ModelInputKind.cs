using Hbac.Eeg.Windows;

namespace Hbac.Onnx;

/// <summary>
/// What a model reads. Both kinds are [3, 400, 300] images, so they share backbones, trainer and
/// exporter; a model records its kind in card.json and in its ONNX metadata (<see cref="MetadataKey"/>).
/// </summary>
public enum ModelInputKind
{
    /// <summary>The seed's input: the 600-s window of a Kaggle spectrogram (<see cref="SpectrogramWindow"/>).</summary>
    Spectrogram,

    /// <summary>The 50-s raw EEG window around the labelled 10 s (<see cref="EegWindow"/>).</summary>
    Eeg,
}

public static class ModelInputKinds
{
    /// <summary>The ONNX metadata_props key holding the kind's name.</summary>
    public const string MetadataKey = "hbac.input";

    public static string Name(this ModelInputKind kind) => kind == ModelInputKind.Eeg ? "eeg" : "spectrogram";

    public static ModelInputKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "spectrogram" => ModelInputKind.Spectrogram,
        "eeg" => ModelInputKind.Eeg,
        _ => throw new ArgumentException($"'{name}' is not an input kind (spectrogram | eeg)"),
    };

    /// <summary>The ONNX metadata_props key holding the preprocessing parameters as JSON (<see cref="Parameters"/>).</summary>
    public const string PreprocessingKey = "hbac.preprocessing";

    /// <summary>
    /// The kind an ONNX model's metadata names; models without the key (older exports, foreign models) read
    /// spectrograms. An EEG model must also have been trained on this build's EEG preprocessing
    /// (<see cref="EegWindow.PreprocessingVersion"/>): fed another version's inputs it would score garbage.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown kind, or an EEG model of another preprocessing version.</exception>
    public static ModelInputKind FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        var kind = metadata.TryGetValue(MetadataKey, out var name) ? Parse(name) : ModelInputKind.Spectrogram;
        if (kind == ModelInputKind.Eeg)
        {
            var version = EegPreprocessingVersion(metadata);
            if (version != EegWindow.PreprocessingVersion)
            {
                throw new ArgumentException(
                    $"an EEG model of preprocessing version {version} ({PreprocessingKey}); this build computes version " +
                    $"{EegWindow.PreprocessingVersion} ({EegWindow.Parameters["channels"]}): retrain it (hbac train --input eeg)");
            }
        }
        return kind;
    }

    /// <summary>The version an EEG model's preprocessing entry records; "1" for models from before versions were recorded.</summary>
    private static string EegPreprocessingVersion(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(PreprocessingKey, out var json))
        {
            return "1";
        }
        try
        {
            var parameters = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json);
            return parameters is not null && parameters.TryGetValue("version", out var version) ? version : "1";
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"{PreprocessingKey} is not a JSON object of strings: {e.Message}");
        }
    }

    /// <summary><see cref="FromMetadata"/> for a model file: a refusal is a <see cref="ModelFileException"/> naming the file.</summary>
    public static ModelInputKind InputKind(this OnnxClassifier classifier)
    {
        try
        {
            return FromMetadata(classifier.Metadata);
        }
        catch (ArgumentException e)
        {
            throw ModelFileException.InFile(classifier.Path, $"metadata {MetadataKey}: {e.Message}", e);
        }
    }

    /// <summary>How the input is computed, in words, for the model card.</summary>
    public static string Normalisation(this ModelInputKind kind) => kind == ModelInputKind.Eeg
        ? "50-s EEG window at eeg_label_offset_seconds: 16 double-banana chains, 0.5-20 Hz linear-phase FIR band-pass (801 taps), " +
          "clip +-1024 uV, /32; 300 Hann 256-sample FFT frames, 14 per 2 s from sample 1001, ln(power + 1e-3) of bins 1-25 per chain (rows chain-major); " +
          "(x - mean) / (std + 1e-6) per window; channels: that, that minus the homologous chain's row (left-right difference), that again"
        : SpectrogramWindow.Normalisation;

    /// <summary>The preprocessing parameters the card records (the EEG kind's are <see cref="EegWindow.Parameters"/>).</summary>
    public static IReadOnlyDictionary<string, string> Parameters(this ModelInputKind kind) => kind == ModelInputKind.Eeg
        ? EegWindow.Parameters
        : new Dictionary<string, string>
        {
            ["input"] = "spectrogram",
            ["window_seconds"] = "600",
            ["columns"] = $"offset/2 .. offset/2 + {SpectrogramWindow.Columns}, zero-padded",
            ["clip"] = "[exp(-4), exp(8)]",
            ["scale"] = "ln, window mean 0 and std 1, 3 identical channels",
        };
}

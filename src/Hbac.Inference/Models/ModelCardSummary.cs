using System.Text.Json;

namespace Hbac.Inference.Models;

/// <summary>
/// The fields of a version's card.json that ListModels shows. Read leniently: a version without a
/// card (imported by hand) or with fields missing is still servable; only model.onnx decides validity.
/// </summary>
/// <param name="Input">The card's input kind ("spectrogram" | "eeg"); for a version whose model.onnx cannot be read, the only hint of its kind.</param>
/// <param name="Int8ValidationLoss">The int8 model's validation Kaggle KL (card.json's <c>int8.validation_kaggle_kl</c>); NaN when unknown.</param>
public sealed record ModelCardSummary(string? Model, DateTimeOffset? CreatedUtc, string? TrainingRunId, double ValidationLoss, string? Input = null,
    double Int8ValidationLoss = double.NaN)
{
    public static readonly ModelCardSummary Unknown = new(null, null, null, double.NaN);

    public static ModelCardSummary Read(string path)
    {
        if (!File.Exists(path))
        {
            return Unknown;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            return new ModelCardSummary(
                String(root, "model"),
                String(root, "created_utc") is { } created && DateTimeOffset.TryParse(created, out var at) ? at : null,
                String(root, "training_run_id") ?? String(root, "run_id"),
                root.TryGetProperty("best_validation_loss", out var loss) && loss.ValueKind == JsonValueKind.Number ? loss.GetDouble() : double.NaN,
                String(root, "input"),
                root.TryGetProperty("int8", out var int8) && int8.ValueKind == JsonValueKind.Object
                    && int8.TryGetProperty("validation_kaggle_kl", out var int8Loss) && int8Loss.ValueKind == JsonValueKind.Number ? int8Loss.GetDouble() : double.NaN);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return Unknown;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}

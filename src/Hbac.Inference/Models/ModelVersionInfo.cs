using Hbac.Onnx;
using HbacAspire.ServiceDefaults.Requests;

namespace Hbac.Inference.Models;

/// <summary>
/// One model file of a version folder as ListModels shows it (a version with an int8 model has two rows);
/// <paramref name="Active"/> means it is the one served for its <paramref name="Kind"/>;
/// <paramref name="ExecutionProvider"/> is where it was validated to run (null when refused).
/// </summary>
public sealed record ModelVersionInfo(
    string Version, bool Valid, string? InvalidReason, bool Active, ModelCardSummary Card, IReadOnlyList<long> InputShape, ModelInputKind Kind,
    string? ExecutionProvider = null, ModelPrecision Precision = ModelPrecision.Fp32);

/// <summary>No folder of that name in the repository (NotFound).</summary>
public sealed class ModelVersionNotFoundException(string version)
    : Exception($"version: no model '{StatusDetail.Echo(version)}' in the repository");

/// <summary>The version exists but cannot be served (FailedPrecondition); the message says why.</summary>
public sealed class ModelRejectedException(string message) : Exception(message);

/// <summary>No model of the kind a call needs is being served (FailedPrecondition); the message says which and how to get one.</summary>
public sealed class NoModelLoadedException(ModelInputKind kind) : Exception(kind == ModelInputKind.Eeg
    ? "no EEG-window model loaded: StreamEeg scores streams with a model trained on 50-s EEG windows (hbac train --input eeg, or StartRun with input_kind EEG), and the repository has no valid one; a spectrogram model cannot score a stream"
    : "no spectrogram model loaded: the repository has no valid spectrogram model yet (hbac train, or StartRun with input_kind SPECTROGRAM)")
{
    public ModelInputKind Kind { get; } = kind;
}

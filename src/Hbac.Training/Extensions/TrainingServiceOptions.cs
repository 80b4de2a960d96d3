using System.ComponentModel.DataAnnotations;

namespace Hbac.Training.Extensions;

/// <summary>
/// The "Hbac" configuration section as the training service reads it (the AppHost sets
/// <c>Hbac__DataRoot</c> and <c>Hbac__ModelRepository</c>).
/// </summary>
public sealed class TrainingServiceOptions
{
    public const string Section = "Hbac";

    /// <summary>Folder every <c>data_folder</c> is relative to and confined to.</summary>
    [Required]
    public string DataRoot { get; set; } = "";

    /// <summary>Folder of <c>&lt;version&gt;/model.onnx + card.json</c> the inference service serves from; created when missing.</summary>
    [Required]
    public string ModelRepository { get; set; } = "";

    /// <summary>The dataset an empty <c>data_folder</c> means, relative to the data root; empty = the data root itself.</summary>
    public string DefaultDataFolder { get; set; } = "";

    /// <summary>Runs that may wait behind the running one; StartRun beyond that gets ResourceExhausted.</summary>
    [Range(1, 1000)]
    public int MaxQueuedRuns { get; set; } = 8;

    /// <summary>Finished runs kept for ListRuns/GetRun/WatchRun (in memory); the oldest finished ones are forgotten first.</summary>
    [Range(1, 100_000)]
    public int MaxRunHistory { get; set; } = 200;

    /// <summary>torch threads per run; 0 = the profile's, at most every core (seed: every core; quick: 1, as its small layers run faster on one thread). Runs share the cores (<see cref="Cores"/>).</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Cores the runs share (0 = every core): a queued run starts when the threads it uses are free.</summary>
    [Range(0, 1024)]
    public int Cores { get; set; }

    /// <summary>The cores runs share.</summary>
    public int EffectiveCores => Cores > 0 ? Cores : Environment.ProcessorCount;

    /// <summary>
    /// After a run, quantize its model to int8 (calibrated on the run's training windows) and publish
    /// <c>model.int8.onnx</c> beside <c>model.onnx</c> when the drift gate passes; card.json records the outcome either way.
    /// </summary>
    public bool PublishInt8 { get; set; } = true;

    /// <summary>Training windows that calibrate the int8 activation ranges.</summary>
    [Range(1, 100_000)]
    public int Int8CalibrationWindows { get; set; } = 128;

    /// <summary>Optimiser steps summarised by one StepCompleted event (the last step of an epoch always sends one).</summary>
    [Range(1, 100_000)]
    public int StepEventInterval { get; set; } = 5;
}

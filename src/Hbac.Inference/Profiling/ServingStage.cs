namespace Hbac.Inference.Profiling;

/// <summary>The stages of a window's path through the inference service, in the order a window passes them.</summary>
public enum ServingStage
{
    /// <summary>The chunk's samples taken out of the message (a StreamEeg window: its chunks' share).</summary>
    Receive,

    /// <summary>The model input computed from the signal (the EEG window's montage, filter and spectrogram).</summary>
    Window,

    /// <summary>Waiting in the micro-batcher's queue for a batch.</summary>
    Queue,

    /// <summary>The window copied into the batch's input (nothing for a batch of one, which is bound as it is).</summary>
    BatchCopy,

    /// <summary>ONNX Runtime's run, a batch's time shared by its windows.</summary>
    Model,

    /// <summary>Probabilities mapped into the reply, and the reply written.</summary>
    Reply,
}

public static class ServingStages
{
    public static readonly IReadOnlyList<ServingStage> All = Enum.GetValues<ServingStage>();

    /// <summary>The stage's name on the wire and in metrics: receive, window, queue, batch_copy, model, reply.</summary>
    public static string Name(this ServingStage stage) => stage switch
    {
        ServingStage.Receive => "receive",
        ServingStage.Window => "window",
        ServingStage.Queue => "queue",
        ServingStage.BatchCopy => "batch_copy",
        ServingStage.Model => Hbac.Contracts.V1.ServingProfile.ModelStage,
        ServingStage.Reply => "reply",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "not a serving stage"),
    };

    /// <summary>Whether the stage is work done outside the model (the queue is waiting, not work).</summary>
    public static bool IsOutsideTheModel(this ServingStage stage) => stage is not (ServingStage.Queue or ServingStage.Model);
}

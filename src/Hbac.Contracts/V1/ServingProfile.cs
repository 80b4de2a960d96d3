namespace Hbac.Contracts.V1;

public sealed partial class ServingProfile
{
    /// <summary>The wire name of the stage where ONNX Runtime runs: every window scored passes it once.</summary>
    public const string ModelStage = "model";

    /// <summary>Windows of <paramref name="kind"/> the model has scored in the profile's span.</summary>
    public long WindowsScored(ModelInputKind kind) => Stages.Where(s => s.InputKind == kind && s.Stage == ModelStage).Sum(s => s.Windows);
}

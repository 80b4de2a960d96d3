namespace HbacAspire.EndToEnd.Tests.Support;

/// <summary>
/// A fact that starts or uses a real stack: skipped with a reason when redis-server is not on PATH,
/// and optionally when ../shared/data or the training service project is not part of this checkout.
/// </summary>
public sealed class StackFactAttribute : FactAttribute
{
    private bool _requiresSharedData;
    private bool _requiresTraining;

    public StackFactAttribute()
    {
        if (RedisTestServer.Executable is null)
        {
            Skip = RedisTestServer.MissingReason;
        }
    }

    /// <summary>Needs the real Kaggle files in ../shared/data.</summary>
    public bool RequiresSharedData
    {
        get => _requiresSharedData;
        set
        {
            _requiresSharedData = value;
            if (value && !SharedData.Available)
            {
                Skip ??= SharedData.MissingReason;
            }
        }
    }

    /// <summary>Needs src/Hbac.Training (the AppHost skips a service project missing from the checkout).</summary>
    public bool RequiresTraining
    {
        get => _requiresTraining;
        set
        {
            _requiresTraining = value;
            if (value && !TrainingService.InCheckout)
            {
                Skip ??= "src/Hbac.Training is not in this checkout, so the AppHost does not start the training service";
            }
        }
    }
}

internal static class TrainingService
{
    public static bool InCheckout { get; } =
        File.Exists(Path.Combine(SharedData.RepositoryRoot, "src", "Hbac.Training", "Hbac.Training.csproj"));
}

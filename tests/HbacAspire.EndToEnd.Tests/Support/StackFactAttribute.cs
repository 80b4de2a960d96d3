namespace HbacAspire.EndToEnd.Tests.Support;

/// <summary>
/// A fact that starts or uses a real stack: skipped with a reason when redis-server is not on PATH,
/// and optionally when ../shared/data is missing.
/// </summary>
public sealed class StackFactAttribute : FactAttribute
{
    private bool _requiresSharedData;

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
}

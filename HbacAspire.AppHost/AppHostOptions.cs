namespace HbacAspire.AppHost;

/// <summary>The AppHost's flags after parsing; ports of 0 are replaced by free ones before anything starts.</summary>
public sealed record AppHostOptions
{
    /// <summary>All state: Redis data, model repository, generated data, logs.</summary>
    public required string Home { get; init; }

    /// <summary>A Kaggle-format folder; null = the built-in synthetic default data.</summary>
    public string? Data { get; init; }

    public int DashboardPort { get; init; } = 18888;

    public int PreprocessingPort { get; init; } = 5101;

    public int TrainingPort { get; init; } = 5102;

    public int InferencePort { get; init; } = 5103;

    public int RedisPort { get; init; } = 6380;

    /// <summary>Whether the built-in job prepares the data and trains a model (see <see cref="DefaultJobMode"/>).</summary>
    public DefaultJobMode Job { get; init; } = DefaultJobMode.Auto;

    /// <summary>Delay before the first restart of a crashed resource; it doubles per consecutive crash up to 30 s.</summary>
    public TimeSpan RestartDelay { get; init; } = Supervision.BackoffPolicy.Default.Initial;

    /// <summary>Start only these resources (and what they depend on); empty = all.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    public string LogDirectory => Path.Combine(Home, "logs");

    public string RedisDirectory => Path.Combine(Home, "redis");

    public string ModelRepository => Path.Combine(Home, "models");

    public string GeneratedDataDirectory => Path.Combine(Home, "data");
}

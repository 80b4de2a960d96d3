namespace HbacAspire.AppHost;

/// <summary>What the AppHost's built-in job does once the services are healthy (<c>--job</c>).</summary>
public enum DefaultJobMode
{
    /// <summary>Prepare the data and train the quick profile only when the model repository has no model yet,
    /// so a second start serves at once.</summary>
    Auto,

    /// <summary>Always prepare the data and train a new model (it replaces the served one when done).</summary>
    Train,

    /// <summary>Never train: serve what the repository holds (no data is generated or prepared).</summary>
    None,
}

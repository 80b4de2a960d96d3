namespace HbacAspire.AppHost.Jobs;

/// <summary>The default job as a resource of the app model: the dashboard shows its state, its log and its "Run again" command.</summary>
public sealed class DefaultJobResource(string name) : Resource(name)
{
    public const string ResourceType = "Job";
}

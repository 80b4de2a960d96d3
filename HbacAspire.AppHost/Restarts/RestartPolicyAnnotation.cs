namespace HbacAspire.AppHost.Restarts;

/// <summary>Marks a resource that <see cref="CrashRestarter"/> starts again after it crashes.</summary>
public sealed class RestartPolicyAnnotation(BackoffPolicy backoff) : IResourceAnnotation
{
    public BackoffPolicy Backoff { get; } = backoff;
}

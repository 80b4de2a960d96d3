namespace HbacAspire.AppHost.Jobs;

/// <summary>What the default job needs from the running app: where a service listens, the key it asks for, whether it is healthy, and a place to report.</summary>
public interface IJobEnvironment
{
    /// <summary>The gRPC address of a resource, e.g. http://localhost:5103 for "inference".</summary>
    Uri Endpoint(string resource);

    /// <summary>How many replicas of the resource run behind its one address (1 without WithReplicas).</summary>
    int Replicas(string resource);

    /// <summary>The API key the services require (sent as <c>authorization: Bearer</c>); null when they require none.</summary>
    Task<string?> ApiKeyAsync(CancellationToken cancellationToken);

    /// <summary>Returns once the resource reports Healthy (at once when it already does).</summary>
    Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken);

    /// <summary>One line of the job's progress.</summary>
    void Report(string line);

    /// <summary>The job's state as the dashboard shows it while it runs, e.g. "Training EEG".</summary>
    Task SetStateAsync(string state);
}

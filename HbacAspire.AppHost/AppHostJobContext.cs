using HbacAspire.AppHost.Dashboard;
using HbacAspire.AppHost.Supervision;

namespace HbacAspire.AppHost;

/// <summary>What a background job of the AppHost can use: the running resources and the dashboard's boards.</summary>
public sealed class AppHostJobContext(
    AppHostOptions options, Supervisor supervisor, TrainingRunsBoard training, ModelsBoard models, Action<string> report,
    AppHostStatus? status = null)
{
    public AppHostOptions Options { get; } = options;

    public Supervisor Supervisor { get; } = supervisor;

    public TrainingRunsBoard Training { get; } = training;

    public ModelsBoard Models { get; } = models;

    /// <summary>Writes a status line to the AppHost's console (stderr).</summary>
    public void Report(string line) => report(line);

    /// <summary>Reports a line of the built-in job and shows it on the dashboard.</summary>
    public void ReportJob(string line)
    {
        if (status is not null)
        {
            status.Job = line;
        }
        report("job: " + line);
    }

    /// <summary>True when the resource is part of this run (not left out by --only or missing from the checkout).</summary>
    public bool Has(string resource) => Supervisor.Runners.Any(r => r.Resource.Name == resource);

    /// <summary>The URL of a resource's endpoint, e.g. Endpoint("inference") = "http://127.0.0.1:5103".</summary>
    public string Endpoint(string resource, string endpoint = "grpc") =>
        Supervisor[resource].Resource.Endpoints.First(e => e.Name == endpoint).Url;

    public async Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken)
    {
        var runner = Supervisor[resource];
        while (!runner.IsHealthy)
        {
            await Task.Delay(200, cancellationToken);
        }
    }
}

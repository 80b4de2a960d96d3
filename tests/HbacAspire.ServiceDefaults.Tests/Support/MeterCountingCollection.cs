namespace HbacAspire.ServiceDefaults.Tests.Support;

/// <summary>
/// Tests that count what a host's "Hbac" meter exported run alone: OpenTelemetry listens to every meter of
/// that name in the process, so another test's host handling calls at the same time adds to the counts
/// (a ListModels count of 3 where this test made 2, once in CI).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterCountingCollection
{
    public const string Name = "Counts the Hbac meter";
}

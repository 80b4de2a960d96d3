namespace Hbac.Eeg.Reports;

/// <summary>A status-epilepticus rule, whether it held anywhere in the recording, and when it first held.</summary>
public sealed record StatusEpilepticusFlag(string Name, string Rule, bool Held, double? FirstHeldSeconds);

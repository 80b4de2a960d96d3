namespace Hbac.Training.Tests.Support;

/// <summary>The service tests train for real and a run uses every core: one at a time.</summary>
[CollectionDefinition("Training service", DisableParallelization = true)]
public sealed class TrainingServiceCollection;

namespace HbacAspire.AppHost.Jobs;

/// <summary>A step of the default job failed; the message names the step and the service's own error.</summary>
public sealed class JobFailedException(string message) : Exception(message);

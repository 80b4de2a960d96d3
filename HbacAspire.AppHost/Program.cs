using Hbac.Contracts;
using HbacAspire.AppHost;
using HbacAspire.AppHost.Security;

// The HBAC app model. Our flags (--home, --data, --job, ports) are read first; the rest of the
// command line (e.g. --publisher manifest) goes to Aspire.
if (AppHostOptions.Parse(args) is not { } parsed)
{
    return AppHostOptions.ExitCode;
}
var (options, aspireArgs) = parsed;
var builder = DistributedApplication.CreateBuilder(options.AspireArguments(aspireArgs));
builder.AddHbacConsole(options);

// One key for the three services, required on every RPC but health and reflection; the job, the ready line and the commands send it.
IResourceBuilder<ParameterResource> apiKey;
try
{
    apiKey = builder.AddApiKey(options);
}
catch (ApiKeyFileException problem)
{
    Console.Error.WriteLine($"HbacAspire.AppHost: {problem.Message}");
    return 2;
}

var redis = builder.AddRedisServer("redis", options.RedisPort, options.RedisDirectory, options.RedisServer)
    .WithRestartPolicy(options.RestartDelay);

var preprocessing = builder.AddProject<Projects.Hbac_Preprocessing>("preprocessing")
    .WithGrpcEndpoint(options.PreprocessingPort)
    .WithReplicas(options.PreprocessingReplicas)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Hbac__DataRoot", options.DataRoot)
    .WithApiKey(apiKey)
    .WithRestartPolicy(options.RestartDelay)
    .WithDashboardChart(HbacInstruments.CacheHits, "Cache hits (chart)");

var training = builder.AddProject<Projects.Hbac_Training>("training")
    .WithGrpcEndpoint(options.TrainingPort)
    .WithReference(redis).WaitFor(redis)
    .WithReference(preprocessing).WaitFor(preprocessing)
    .WithEnvironment("Hbac__DataRoot", options.DataRoot)
    .WithEnvironment("Hbac__ModelRepository", options.ModelRepository)
    .WithApiKey(apiKey)
    .WithRestartPolicy(options.RestartDelay)
    .WithDashboardChart(HbacInstruments.TrainingValidationLoss, "Validation KL per epoch (chart)")
    .WithDashboardChart(HbacInstruments.TrainingLoss, "Training loss (chart)")
    .WithTrainCommands();

// Replicas share the model repository: a published or activated version reaches each of them within seconds.
var inference = builder.AddProject<Projects.Hbac_Inference>("inference")
    .WithGrpcEndpoint(options.InferencePort)
    .WithReplicas(options.InferenceReplicas)
    .WithReference(redis).WaitFor(redis)
    .WithReference(preprocessing)
    .WithEnvironment("Hbac__DataRoot", options.DataRoot)
    .WithEnvironment("Hbac__ModelRepository", options.ModelRepository)
    .WithApiKey(apiKey)
    .WithRestartPolicy(options.RestartDelay)
    .WithDashboardChart(HbacInstruments.InferenceRequestDuration, "Scoring latency (chart)")
    .WithDashboardChart(HbacInstruments.InferenceBatchSize, "Batch sizes (chart)")
    .WithActivateNewestModelCommand(apiKey);

// Synthetic data -> prepare -> quick spectrogram run -> quick EEG run -> both served; on the dashboard with its own state and logs.
builder.AddDefaultJob("default-job", options, apiKey, preprocessing, training, inference);

// "ready" on stdout once inference serves both models (with --job none: any model; what scripts wait for).
builder.AddReadyLine(inference, options, apiKey);

builder.Build().Run();
return 0;

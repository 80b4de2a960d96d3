using System.CommandLine;
using System.Runtime.InteropServices;
using HbacAspire.AppHost;

var home = new Option<string>("--home") { Description = "Folder for all state: Redis data, models, generated data, logs", DefaultValueFactory = _ => "./.hbac" };
var data = new Option<string?>("--data") { Description = "Kaggle-format data folder (default: the built-in synthetic data)" };
var dashboardPort = new Option<int>("--dashboard-port") { Description = "Dashboard port (0 = free port)", DefaultValueFactory = _ => 18888 };
var preprocessingPort = new Option<int>("--preprocessing-port") { Description = "Preprocessing gRPC port (0 = free port)", DefaultValueFactory = _ => 5101 };
var trainingPort = new Option<int>("--training-port") { Description = "Training gRPC port (0 = free port)", DefaultValueFactory = _ => 5102 };
var inferencePort = new Option<int>("--inference-port") { Description = "Inference gRPC port (0 = free port)", DefaultValueFactory = _ => 5103 };
var redisPort = new Option<int>("--redis-port") { Description = "Redis port (0 = free port)", DefaultValueFactory = _ => 6380 };
var job = new Option<DefaultJobMode>("--job")
{
    Description = "Built-in job: auto = prepare the data and train the quick profile when no model exists yet; train = always; none = never",
    DefaultValueFactory = _ => DefaultJobMode.Auto,
};
var restartDelay = new Option<double>("--restart-delay")
{
    Description = "Seconds before a crashed resource is restarted; doubles per consecutive crash, up to 30",
    DefaultValueFactory = _ => HbacAspire.AppHost.Supervision.BackoffPolicy.Default.Initial.TotalSeconds,
};
var only = new Option<string[]>("--only") { Description = "Start only these resources and what they depend on", AllowMultipleArgumentsPerToken = true };

var root = new RootCommand("Starts the HBAC stack (redis-server and the gRPC services), supervises it and serves the dashboard. Ctrl+C stops everything.");
foreach (var option in new Option[] { home, data, dashboardPort, preprocessingPort, trainingPort, inferencePort, redisPort, job, restartDelay, only })
{
    root.Options.Add(option);
}

root.SetAction(async (parseResult, _) =>
{
    // Own signal handling: the children must be stopped (and given their grace period) before we exit.
    using var stopping = new CancellationTokenSource();
    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stopping.Cancel();
    }
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

    try
    {
        var options = new AppHostOptions
        {
            Home = parseResult.GetValue(home)!,
            Data = parseResult.GetValue(data) is { } folder ? Path.GetFullPath(folder) : null,
            DashboardPort = parseResult.GetValue(dashboardPort),
            PreprocessingPort = parseResult.GetValue(preprocessingPort),
            TrainingPort = parseResult.GetValue(trainingPort),
            InferencePort = parseResult.GetValue(inferencePort),
            RedisPort = parseResult.GetValue(redisPort),
            Job = parseResult.GetValue(job),
            RestartDelay = parseResult.GetValue(restartDelay) is var seconds and >= 0.1 and <= 30
                ? TimeSpan.FromSeconds(seconds)
                : throw new AppHostException($"--restart-delay: {parseResult.GetValue(restartDelay)} is not between 0.1 and 30 seconds"),
            Only = (parseResult.GetValue(only) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray(),
        };
        if (options.Data is not null && !Directory.Exists(options.Data))
        {
            throw new AppHostException($"--data: {options.Data} is not a folder");
        }
        return await AppHostRunner.RunAsync(options, Console.Out, Console.Error, stopping.Token);
    }
    catch (AppHostException exception)
    {
        Console.Error.WriteLine($"HbacAspire.AppHost: {exception.Message}");
        return 2;
    }
});

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

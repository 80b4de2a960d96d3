using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using HbacAspire.AppHost.Restarts;

namespace HbacAspire.AppHost;

/// <summary>
/// The AppHost's own flags. They are parsed before Aspire's builder exists, and mapped onto it:
/// ports become endpoint ports (0 = DCP picks a free one), the dashboard port becomes its
/// <c>ASPNETCORE_URLS</c>, and folders become the services' environment.
/// </summary>
public sealed record AppHostOptions
{
    /// <summary>All state: Redis data, model repository, generated data, the API key file.</summary>
    public required string Home { get; init; }

    /// <summary>A Kaggle-format folder; null = the built-in synthetic default data.</summary>
    public string? Data { get; init; }

    public int DashboardPort { get; init; } = 18888;

    /// <summary>Opt-in: the dashboard without its browser-token login.</summary>
    public bool DashboardAnonymous { get; init; }

    public int PreprocessingPort { get; init; } = 5101;

    public int TrainingPort { get; init; } = 5102;

    public int InferencePort { get; init; } = 5103;

    public int RedisPort { get; init; } = 6380;

    /// <summary>Inference processes behind the one inference address (DCP's proxy spreads connections over them).</summary>
    public int InferenceReplicas { get; init; } = 1;

    /// <summary>Preprocessing processes behind the one preprocessing address; the default job's preparation spreads over them.</summary>
    public int PreprocessingReplicas { get; init; } = 1;

    /// <summary>The most replicas a flag accepts: each costs about 270 MB (the service, its dotnet-run wrapper, a DCP monitor).</summary>
    public const int MaxReplicas = 16;

    /// <summary>Which Redis server runs as the "redis" resource.</summary>
    public RedisServerKind RedisServer { get; init; } = RedisServerKind.Auto;

    /// <summary>Whether the built-in job prepares the data and trains a model (see <see cref="DefaultJobMode"/>).</summary>
    public DefaultJobMode Job { get; init; } = DefaultJobMode.Auto;

    /// <summary>Delay before the first restart of a crashed resource; it doubles per consecutive crash up to 30 s.</summary>
    public TimeSpan RestartDelay { get; init; } = BackoffPolicy.Default.Initial;

    /// <summary>Patients of the generated synthetic dataset (tests use a small one).</summary>
    public int SyntheticPatients { get; init; } = Hbac.Eeg.Synthetic.SyntheticOptions.DefaultPatients;

    public string RedisDirectory => Path.Combine(Home, "redis");

    public string ModelRepository => Path.Combine(Home, "models");

    public string GeneratedDataDirectory => Path.Combine(Home, "data");

    /// <summary>The services' API key, generated on the first run (mode 0600); what hbac reads when given this home.</summary>
    public string ApiKeyFile => Path.Combine(Home, Hbac.Contracts.Security.ApiKeys.FileName);

    /// <summary>The services' data root: <c>--data</c>, or the generated-data folder.</summary>
    public string DataRoot => Data ?? GeneratedDataDirectory;

    /// <summary>Exit code of the last <see cref="Parse"/> that returned null (0 after --help, 2 after an error).</summary>
    public static int ExitCode { get; private set; }

    /// <summary>
    /// Parses our flags; what we do not know is left for Aspire. Null after --help or a bad flag (one
    /// line naming it on stderr, <see cref="ExitCode"/> 2).
    /// </summary>
    public static (AppHostOptions Options, string[] Remaining)? Parse(string[] args)
    {
        var home = new Option<string>("--home") { Description = "Folder for all state: Redis data, models, generated data, the services' API key (api-key)", DefaultValueFactory = _ => Hbac.Contracts.Security.ApiKeys.DefaultHome };
        var data = new Option<string?>("--data") { Description = "Kaggle-format data folder (default: the built-in synthetic data)" };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Aspire dashboard port (0 = free port)", DefaultValueFactory = _ => 18888 };
        var anonymous = new Option<bool>("--dashboard-anonymous") { Description = "Serve the dashboard without its browser-token login (only on a machine you alone use)" };
        var preprocessingPort = new Option<int>("--preprocessing-port") { Description = "Preprocessing gRPC port (0 = free port)", DefaultValueFactory = _ => 5101 };
        var trainingPort = new Option<int>("--training-port") { Description = "Training gRPC port (0 = free port)", DefaultValueFactory = _ => 5102 };
        var inferencePort = new Option<int>("--inference-port") { Description = "Inference gRPC port (0 = free port)", DefaultValueFactory = _ => 5103 };
        var redisPort = new Option<int>("--redis-port") { Description = "Redis port (0 = free port)", DefaultValueFactory = _ => 6380 };
        var redisServer = new Option<RedisServerKind>("--redis-server")
        {
            Description = "auto = redis-server when it is on PATH, else the embedded Garnet server; or name one",
            DefaultValueFactory = _ => RedisServerKind.Auto,
        };
        var job = new Option<DefaultJobMode>("--job")
        {
            Description = "Built-in job: auto = prepare the data and train the quick profile when no model exists yet; train = always; none = never",
            DefaultValueFactory = _ => DefaultJobMode.Auto,
        };
        var restartDelay = new Option<double>("--restart-delay")
        {
            Description = "Seconds before a crashed resource is restarted; doubles per consecutive crash, up to 30",
            DefaultValueFactory = _ => BackoffPolicy.Default.Initial.TotalSeconds,
        };
        var inferenceReplicas = new Option<int>("--inference-replicas")
        {
            Description = $"Inference replicas behind one address (1-{MaxReplicas}); each serves the same models, and streams spread over them per connection",
            DefaultValueFactory = _ => 1,
        };
        var preprocessingReplicas = new Option<int>("--preprocessing-replicas")
        {
            Description = $"Preprocessing replicas behind one address (1-{MaxReplicas}); dataset preparation spreads over them",
            DefaultValueFactory = _ => 1,
        };
        var patients = new Option<int>("--synthetic-patients")
        {
            Description = "Patients in the generated synthetic dataset",
            DefaultValueFactory = _ => Hbac.Eeg.Synthetic.SyntheticOptions.DefaultPatients,
        };
        var root = new RootCommand(
            "Starts the HBAC stack with .NET Aspire: Redis, the preprocessing, training and inference services, the default job " +
            "and the Aspire dashboard. Ctrl+C stops everything. Other arguments go to Aspire (e.g. --publisher manifest --output-path <file>).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var option in new Option[] { home, data, dashboardPort, anonymous, preprocessingPort, trainingPort, inferencePort, redisPort, redisServer, job, restartDelay, patients, inferenceReplicas, preprocessingReplicas })
        {
            root.Options.Add(option);
        }

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            return Fail(string.Join("; ", result.Errors.Select(e => e.Message)));
        }
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            ExitCode = result.Invoke();
            return null;
        }
        try
        {
            var options = new AppHostOptions
            {
                Home = Path.GetFullPath(result.GetValue(home)!),
                Data = result.GetValue(data) is { } folder ? Path.GetFullPath(folder) : null,
                DashboardPort = CheckPort(result.GetValue(dashboardPort), "--dashboard-port"),
                DashboardAnonymous = result.GetValue(anonymous),
                PreprocessingPort = CheckPort(result.GetValue(preprocessingPort), "--preprocessing-port"),
                TrainingPort = CheckPort(result.GetValue(trainingPort), "--training-port"),
                InferencePort = CheckPort(result.GetValue(inferencePort), "--inference-port"),
                RedisPort = CheckPort(result.GetValue(redisPort), "--redis-port"),
                RedisServer = result.GetValue(redisServer),
                InferenceReplicas = CheckReplicas(result.GetValue(inferenceReplicas), "--inference-replicas"),
                PreprocessingReplicas = CheckReplicas(result.GetValue(preprocessingReplicas), "--preprocessing-replicas"),
                Job = result.GetValue(job),
                RestartDelay = result.GetValue(restartDelay) is var seconds and >= 0.1 and <= 30
                    ? TimeSpan.FromSeconds(seconds)
                    : throw new ArgumentException($"--restart-delay: {result.GetValue(restartDelay)} is not between 0.1 and 30 seconds"),
                SyntheticPatients = result.GetValue(patients) is var count and >= 2 and <= 2000
                    ? count
                    : throw new ArgumentException($"--synthetic-patients: {result.GetValue(patients)} is not between 2 and 2000"),
            };
            if (options.Data is not null && !Directory.Exists(options.Data))
            {
                throw new ArgumentException($"--data: {options.Data} is not a folder");
            }
            // The services' data root must exist before they start; the default job fills it.
            Directory.CreateDirectory(options.DataRoot);
            Directory.CreateDirectory(options.ModelRepository);
            Directory.CreateDirectory(options.RedisDirectory);
            return (options, result.UnmatchedTokens.ToArray());
        }
        catch (ArgumentException exception)
        {
            return Fail(exception.Message);
        }
    }

    /// <summary>
    /// Aspire's arguments, with its version check off, plus the dashboard settings for a machine without a developer certificate:
    /// plain http on loopback for the dashboard, its OTLP receiver and its resource service, and the
    /// browser-token login unless <see cref="DashboardAnonymous"/>. Where the environment already asks
    /// for https (a trusted dev certificate), it is left alone.
    /// </summary>
    public string[] AspireArguments(string[] rest)
    {
        // No calls off the machine: Aspire's version check would run 'dotnet package search' against nuget.org.
        var arguments = new List<string>(rest) { "--ASPIRE_VERSION_CHECK_DISABLED=true" };
        if (Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is not { } urls || !urls.StartsWith("https", StringComparison.Ordinal))
        {
            arguments.Add($"--ASPNETCORE_URLS=http://127.0.0.1:{FreeIfZero(DashboardPort)}");
            arguments.Add($"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreeIfZero(0)}");
            arguments.Add($"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreeIfZero(0)}");
            arguments.Add("--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true");
        }
        if (DashboardAnonymous)
        {
            arguments.Add("--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true");
        }
        return [.. arguments];
    }

    /// <summary>An endpoint port for Aspire: 0 means "let DCP pick one".</summary>
    public static int? EndpointPort(int port) => port == 0 ? null : port;

    private static int CheckPort(int port, string flag) =>
        port is >= 0 and <= 65535 ? port : throw new ArgumentException($"{flag}: {port} is not a port (0 picks a free one)");

    private static int CheckReplicas(int count, string flag) =>
        count is >= 1 and <= MaxReplicas ? count : throw new ArgumentException($"{flag}: {count} is not between 1 and {MaxReplicas}");

    private static int FreeIfZero(int port)
    {
        if (port != 0)
        {
            return port;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (AppHostOptions, string[])? Fail(string message)
    {
        // One line: System.CommandLine lists an enum's values one per line after its first line.
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = lines.Length > 1 ? $"{lines[0]} {string.Join(", ", lines[1..])}" : message;
        Console.Error.WriteLine($"HbacAspire.AppHost: {line}");
        ExitCode = 2;
        return null;
    }
}

using Aspire.Hosting;
using HbacAspire.AppHost.Restarts;
using static HbacAspire.AppHost.Tests.TestSupport;

namespace HbacAspire.AppHost.Tests;

/// <summary><see cref="AppHostOptions.Parse"/> and what the options become for Aspire.</summary>
public class AppHostOptionsTests
{
    [Fact]
    public void DefaultsAndTheFoldersUnderHome()
    {
        var home = Path.Combine(TempDirectory(), "new-home");
        var (options, remaining) = Parse("--home", home);

        Assert.Equal(home, options.Home);
        Assert.Null(options.Data);
        Assert.Equal(18888, options.DashboardPort);
        Assert.False(options.DashboardAnonymous);
        Assert.Equal(5101, options.PreprocessingPort);
        Assert.Equal(5102, options.TrainingPort);
        Assert.Equal(5103, options.InferencePort);
        Assert.Equal(6380, options.RedisPort);
        Assert.Equal(RedisServerKind.Auto, options.RedisServer);
        Assert.Equal(DefaultJobMode.Auto, options.Job);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RestartDelay);
        Assert.Equal(BackoffPolicy.Default.Initial, options.RestartDelay);
        Assert.Equal(Hbac.Eeg.Synthetic.SyntheticOptions.DefaultPatients, options.SyntheticPatients);
        Assert.Empty(remaining);

        // The generated data is the data root; every folder exists before the services start.
        Assert.Equal(Path.Combine(home, "data"), options.DataRoot);
        Assert.Equal(options.GeneratedDataDirectory, options.DataRoot);
        Assert.True(Directory.Exists(Path.Combine(home, "data")));
        Assert.True(Directory.Exists(Path.Combine(home, "models")));
        Assert.True(Directory.Exists(Path.Combine(home, "redis")));
        Assert.Equal(Path.Combine(home, "models"), options.ModelRepository);
        Assert.Equal(Path.Combine(home, "redis"), options.RedisDirectory);
    }

    [Fact]
    public void EveryFlagIsRead()
    {
        var home = TempDirectory();
        var data = TempDirectory();
        var (options, remaining) = Parse(
            "--home", home, "--data", data, "--dashboard-port", "17001", "--dashboard-anonymous",
            "--preprocessing-port", "17002", "--training-port", "17003", "--inference-port", "17004", "--redis-port", "17005",
            "--redis-server", "garnet", "--job", "train", "--restart-delay", "0.5", "--synthetic-patients", "3");

        Assert.Equal(home, options.Home);
        Assert.Equal(data, options.Data);
        Assert.Equal(data, options.DataRoot);
        Assert.Equal(17001, options.DashboardPort);
        Assert.True(options.DashboardAnonymous);
        Assert.Equal(17002, options.PreprocessingPort);
        Assert.Equal(17003, options.TrainingPort);
        Assert.Equal(17004, options.InferencePort);
        Assert.Equal(17005, options.RedisPort);
        Assert.Equal(RedisServerKind.Garnet, options.RedisServer);
        Assert.Equal(DefaultJobMode.Train, options.Job);
        Assert.Equal(TimeSpan.FromSeconds(0.5), options.RestartDelay);
        Assert.Equal(3, options.SyntheticPatients);
        Assert.Empty(remaining);
        // With --data, nothing is generated under --home.
        Assert.False(Directory.Exists(Path.Combine(home, "data")));
    }

    [Theory]
    [InlineData("auto", DefaultJobMode.Auto)]
    [InlineData("train", DefaultJobMode.Train)]
    [InlineData("none", DefaultJobMode.None)]
    public void JobModes(string value, DefaultJobMode mode)
    {
        Assert.Equal(mode, Parse("--home", TempDirectory(), "--job", value).Options.Job);
    }

    [Fact]
    public void RelativeFoldersBecomeFullPaths()
    {
        var data = TempDirectory();
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, data);
        var (options, _) = Parse("--home", TempDirectory(), "--data", relative);
        Assert.Equal(data, options.Data);
    }

    [Fact]
    public void APortOfZeroIsKeptAndLeftForAspireToPick()
    {
        var (options, _) = Parse("--home", TempDirectory(), "--dashboard-port", "0", "--preprocessing-port", "0",
            "--training-port", "0", "--inference-port", "0", "--redis-port", "0");
        Assert.Equal(0, options.DashboardPort);
        Assert.Equal(0, options.PreprocessingPort);
        Assert.Equal(0, options.TrainingPort);
        Assert.Equal(0, options.InferencePort);
        Assert.Equal(0, options.RedisPort);
        Assert.Null(AppHostOptions.EndpointPort(0));
        Assert.Equal(5103, AppHostOptions.EndpointPort(5103));
    }

    [Theory]
    [InlineData("--restart-delay", "0")]
    [InlineData("--restart-delay", "0.05")]
    [InlineData("--restart-delay", "31")]
    [InlineData("--restart-delay", "NaN")]
    [InlineData("--synthetic-patients", "1")]
    [InlineData("--synthetic-patients", "2001")]
    [InlineData("--synthetic-patients", "many")]
    [InlineData("--redis-port", "70000")]
    [InlineData("--inference-port", "65536")]
    [InlineData("--dashboard-port", "-5")]
    [InlineData("--job", "sometimes")]
    [InlineData("--redis-server", "memcached")]
    [InlineData("--inference-replicas", "0")]
    [InlineData("--inference-replicas", "17")]
    [InlineData("--preprocessing-replicas", "-1")]
    [InlineData("--preprocessing-replicas", "two")]
    public void ABadValueIsOneLineNamingTheFlagAndExitCodeTwo(string flag, string value)
    {
        AssertRefused(flag, "--home", TempDirectory(), flag, value);
    }

    [Fact]
    public void ReplicaFlagsDefaultToOneAndSayTheirRange()
    {
        var (defaults, _) = AppHostOptions.Parse(["--home", TempDirectory()])!.Value;
        Assert.Equal((1, 1), (defaults.InferenceReplicas, defaults.PreprocessingReplicas));
        var (options, rest) = AppHostOptions.Parse(["--home", TempDirectory(), "--inference-replicas", "3", "--preprocessing-replicas", "2"])!.Value;
        Assert.Equal((3, 2), (options.InferenceReplicas, options.PreprocessingReplicas));
        Assert.Empty(rest);
        Assert.Equal("HbacAspire.AppHost: --inference-replicas: 0 is not between 1 and 16",
            AssertRefused("--inference-replicas", "--home", TempDirectory(), "--inference-replicas", "0"));
    }

    [Fact]
    public void DataThatIsNotAFolderIsRefused()
    {
        var file = Path.Combine(TempDirectory(), "train.csv");
        File.WriteAllText(file, "eeg_id\n");
        var message = AssertRefused("--data", "--home", TempDirectory(), "--data", file);
        Assert.Equal($"HbacAspire.AppHost: --data: {file} is not a folder", message);

        var missing = Path.Combine(TempDirectory(), "missing");
        Assert.Equal($"HbacAspire.AppHost: --data: {missing} is not a folder", AssertRefused("--data", "--home", TempDirectory(), "--data", missing));
    }

    [Fact]
    public void TheRefusalsSayWhatIsAllowed()
    {
        Assert.Equal("HbacAspire.AppHost: --restart-delay: 31 is not between 0.1 and 30 seconds",
            AssertRefused("--restart-delay", "--home", TempDirectory(), "--restart-delay", "31"));
        Assert.Equal("HbacAspire.AppHost: --synthetic-patients: 1 is not between 2 and 2000",
            AssertRefused("--synthetic-patients", "--home", TempDirectory(), "--synthetic-patients", "1"));
        Assert.Equal("HbacAspire.AppHost: --redis-port: 70000 is not a port (0 picks a free one)",
            AssertRefused("--redis-port", "--home", TempDirectory(), "--redis-port", "70000"));
    }

    [Fact]
    public void HelpPrintsTheFlagsAndExitsWithZero()
    {
        // A refusal first, so ExitCode 0 is this call's doing.
        AssertRefused("--redis-port", "--home", TempDirectory(), "--redis-port", "70000");
        var original = Console.Out;
        using var help = new StringWriter();
        Console.SetOut(help);
        try
        {
            Assert.Null(AppHostOptions.Parse(["--help"]));
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal(0, AppHostOptions.ExitCode);
        foreach (var flag in new[] { "--home", "--data", "--dashboard-port", "--dashboard-anonymous", "--job", "--restart-delay", "--redis-server", "--synthetic-patients" })
        {
            Assert.Contains(flag, help.ToString());
        }
    }

    [Fact]
    public void UnknownArgumentsAreLeftForAspireInTheirOrder()
    {
        var (options, remaining) = Parse("--publisher", "manifest", "--home", TempDirectory(), "--output-path", "aspire-manifest.json", "--job", "none");
        Assert.Equal(["--publisher", "manifest", "--output-path", "aspire-manifest.json"], remaining);
        Assert.Equal(DefaultJobMode.None, options.Job);
    }

    [Fact]
    public void AspireArgumentsServeTheDashboardOverHttpOnLoopbackWithItsLogin()
    {
        WithAspNetCoreUrls(null, () =>
        {
            var options = new AppHostOptions { Home = TempDirectory(), DashboardPort = 17010 };
            var arguments = options.AspireArguments(["--publisher", "manifest"]);

            Assert.Equal(["--publisher", "manifest"], arguments[..2]);
            Assert.Contains("--ASPNETCORE_URLS=http://127.0.0.1:17010", arguments);
            Assert.Contains("--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true", arguments);
            // No call off the machine: Aspire's version check would search nuget.org.
            Assert.Contains("--ASPIRE_VERSION_CHECK_DISABLED=true", arguments);
            Assert.InRange(UrlPort(arguments, "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:"), 1, 65535);
            Assert.InRange(UrlPort(arguments, "--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:"), 1, 65535);
            Assert.DoesNotContain(arguments, a => a.StartsWith("--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", StringComparison.Ordinal));
        });
    }

    [Fact]
    public void AspireArgumentsAllowTheAnonymousDashboardOnlyWhenAsked()
    {
        WithAspNetCoreUrls(null, () =>
        {
            var arguments = new AppHostOptions { Home = TempDirectory(), DashboardAnonymous = true }.AspireArguments([]);
            Assert.Contains("--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true", arguments);
            Assert.Contains("--ASPNETCORE_URLS=http://127.0.0.1:18888", arguments);
        });
    }

    [Fact]
    public void ADashboardPortOfZeroBecomesAFreePort()
    {
        WithAspNetCoreUrls(null, () =>
        {
            var arguments = new AppHostOptions { Home = TempDirectory(), DashboardPort = 0 }.AspireArguments([]);
            var port = UrlPort(arguments, "--ASPNETCORE_URLS=http://127.0.0.1:");
            Assert.InRange(port, 1, 65535);
        });
    }

    [Fact]
    public void AnHttpsDashboardAskedForByTheEnvironmentIsLeftAlone()
    {
        WithAspNetCoreUrls("https://localhost:17443", () =>
        {
            var arguments = new AppHostOptions { Home = TempDirectory(), DashboardAnonymous = true }.AspireArguments(["--x"]);
            Assert.Equal("--x", arguments[0]);
            Assert.Contains("--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true", arguments);
            Assert.DoesNotContain(arguments, a => a.StartsWith("--ASPNETCORE_URLS", StringComparison.Ordinal));
            Assert.DoesNotContain(arguments, a => a.StartsWith("--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", StringComparison.Ordinal));
            Assert.DoesNotContain(arguments, a => a.StartsWith("--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL", StringComparison.Ordinal));
            Assert.DoesNotContain("--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true", arguments);
        });
    }

    private static (AppHostOptions Options, string[] Remaining) Parse(params string[] args)
    {
        (AppHostOptions, string[])? parsed = null;
        var errors = CaptureStandardError(() => parsed = AppHostOptions.Parse(args));
        Assert.True(parsed is not null, $"Parse refused {string.Join(' ', args)}: {errors}");
        Assert.Equal("", errors);
        return parsed.Value;
    }

    /// <summary>Parse returns null with ExitCode 2 and one stderr line naming <paramref name="flag"/>; that line.</summary>
    private static string AssertRefused(string flag, params string[] args)
    {
        (AppHostOptions, string[])? parsed = null;
        var errors = CaptureStandardError(() => parsed = AppHostOptions.Parse(args));
        Assert.Null(parsed);
        Assert.Equal(2, AppHostOptions.ExitCode);
        var line = Assert.Single(errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("HbacAspire.AppHost: ", line);
        Assert.Contains(flag, line);
        return line;
    }

    private static int UrlPort(string[] arguments, string prefix) =>
        int.Parse(Assert.Single(arguments, a => a.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..]);

    /// <summary>Runs <paramref name="action"/> with ASPNETCORE_URLS set to <paramref name="urls"/> (tests run one at a time).</summary>
    private static void WithAspNetCoreUrls(string? urls, Action action)
    {
        var original = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", urls);
        try
        {
            action();
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_URLS", original);
        }
    }
}

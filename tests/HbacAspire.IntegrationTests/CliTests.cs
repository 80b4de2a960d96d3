using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Hbac.Contracts.V1;
using HbacAspire.IntegrationTests.Support;

namespace HbacAspire.IntegrationTests;

/// <summary>The built <c>hbac</c> command line against the running stack, as the README's session uses it.</summary>
[Collection(StackCollection.Name)]
public sealed partial class CliTests(StackFixture stack)
{
    [Fact]
    public async Task HbacStreamPrintsOneValidLinePerReplyForTheSyntheticEeg()
    {
        await AssertStreamOutputAsync(stack.Data.TestEegPath());
    }

    [SharedDataFact]
    public async Task HbacStreamPrintsOneValidLinePerReplyForTheRealKaggleTestEeg()
    {
        await AssertStreamOutputAsync(SharedData.File("hms/test_eegs/3911565283.parquet"));
    }

    [Fact]
    public async Task HbacModelsListsTheActiveVersion()
    {
        var active = (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveVersion;
        var (exit, stdout, stderr) = await RunHbacAsync("models", "--server", stack.AppHost.Endpoint("inference"), "--home", stack.AppHost.Home);
        Assert.True(exit == 0, $"hbac models exited with {exit}: {stderr}");
        Assert.Contains(stdout.Split('\n'), line => line.Contains(active, StringComparison.Ordinal) && line.Contains("active", StringComparison.Ordinal));
    }

    private async Task AssertStreamOutputAsync(string recording)
    {
        var active = (await stack.Inference.ListModelsAsync(new ListModelsRequest())).ActiveEegVersion;
        // The key from the AppHost's home, as in the README's session (there the default home, ./.hbac).
        var (exit, stdout, stderr) = await RunHbacAsync("stream", "--server", stack.AppHost.Endpoint("inference"), "--home", stack.AppHost.Home, recording);
        Assert.True(exit == 0, $"hbac stream exited with {exit}: {stderr}");

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines); // a 50-s EEG is one window: the Kaggle test geometry, its centre 10 s scored
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ReplyLine().Match(lines[i]);
            Assert.True(match.Success, $"not a reply line: '{lines[i]}'");
            Assert.Equal((20.0, 30.0, 20.0), (Number(match, "start"), Number(match, "end"), Number(match, "lag")));
            var values = match.Groups["p"].Captures.Select(c => double.Parse(c.Value, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(6, values.Length);
            // Printed with 3 decimals: the sum is 1 within 6 roundings.
            Assert.True(Math.Abs(values.Sum() - 1) <= 0.0031, $"'{lines[i]}' does not sum to 1");
            Assert.Equal(active, match.Groups["model"].Value);
        }
        Assert.Contains("50 s sent, 1 reply in ", stderr);
    }

    [Fact]
    public async Task HbacWithoutTheKeyIsRefusedSayingWhereItLooked()
    {
        var home = Directory.CreateTempSubdirectory("hbac-no-key-").FullName;
        try
        {
            var (exit, _, stderr) = await RunHbacAsync("models", "--server", stack.AppHost.Endpoint("inference"), "--home", home);

            Assert.Equal(2, exit);
            Assert.Contains("Unauthenticated: no API key", stderr);
            Assert.Contains($"(hbac sent no key: no --api-key, HBAC_API_KEY not set, {Path.Combine(home, "api-key")} not found)", stderr);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static double Number(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^segment\s+(?<start>\d+\.\d)-(?<end>\d+\.\d) s\s+lag\s+(?<lag>\d+\.\d) s\s+\S+\s+seizure=(?<p>[\d.]+) lpd=(?<p>[\d.]+) gpd=(?<p>[\d.]+) lrda=(?<p>[\d.]+) grda=(?<p>[\d.]+) other=(?<p>[\d.]+)\s+model=(?<model>\S+)$")]
    private static partial Regex ReplyLine();

    private static async Task<(int Exit, string Stdout, string Stderr)> RunHbacAsync(params string[] arguments)
    {
        var configuration = typeof(CliTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var hbac = Path.Combine(SharedData.RepositoryRoot, "src", "Hbac.Cli", "bin", configuration, "net10.0", "hbac.dll");
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The key comes from the arguments (--home, --api-key), never from the test runner's environment.
        info.Environment.Remove("HBAC_API_KEY");
        info.ArgumentList.Add(hbac);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hbac {string.Join(' ', arguments)} did not finish within 60 s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}

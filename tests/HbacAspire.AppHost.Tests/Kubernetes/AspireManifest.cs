using System.Diagnostics;
using System.Text.Json.Nodes;

namespace HbacAspire.AppHost.Tests.Kubernetes;

/// <summary>
/// The AppHost's own deployment manifest, written the way the README says (<c>--publisher manifest</c>),
/// by the built AppHost run as a process with a fresh home (it starts nothing: no DCP, no Docker).
/// </summary>
internal static class AspireManifest
{
    private static readonly string AppHostDll = Path.Combine(AppContext.BaseDirectory, "HbacAspire.AppHost.dll");

    private static readonly Lazy<JsonObject> Published = new(Publish);

    /// <summary>The manifest, published once per test run (a copy: callers may change it).</summary>
    public static JsonObject Load() => (JsonObject)Published.Value.DeepClone();

    private static JsonObject Publish()
    {
        var home = TestSupport.TempDirectory();
        var output = Path.Combine(home, "aspire-manifest.json");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { AppHostDll, "--home", home, "--job", "none", "--publisher", "manifest", "--output-path", output })
        {
            start.ArgumentList.Add(argument);
        }
        // Not a variable of the test host's own run leaks into the AppHost's configuration.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(name);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException("the AppHost did not write its manifest within 2 minutes");
        }
        if (process.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException($"the AppHost's --publisher manifest exited with {process.ExitCode}: {stdout.Result}{stderr.Result}");
        }
        return JsonNode.Parse(File.ReadAllText(output)) as JsonObject
            ?? throw new FormatException($"{output}: not a JSON object");
    }
}

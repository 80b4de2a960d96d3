using System.Diagnostics;

namespace HbacAspire.AppHost.Tests.Kubernetes;

/// <summary>
/// The kubectl the drift tests render with: <c>HBAC_KUBECTL</c> when set (e.g. Debian 12's 1.20 unpacked
/// somewhere, to check the old embedded kustomize), else <c>kubectl</c> on PATH. Only <c>kubectl
/// kustomize</c> is run: it needs no cluster.
/// </summary>
internal static class Kubectl
{
    public static string Binary { get; } = Environment.GetEnvironmentVariable("HBAC_KUBECTL") is { Length: > 0 } configured ? configured : "kubectl";

    /// <summary>Why the tests cannot render, or null when kubectl answers.</summary>
    public static string? MissingReason { get; } = Probe();

    /// <summary>The objects <c>kubectl kustomize <paramref name="directory"/></c> renders; its stderr (deprecation warnings) is ignored unless it fails.</summary>
    public static KubernetesObjects Kustomize(string directory)
    {
        var (exitCode, output, error) = Run(["kustomize", directory], TimeSpan.FromMinutes(1));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Binary} kustomize {directory} exited with {exitCode}: {error.Trim()}");
        }
        return KubernetesObjects.Parse(output);
    }

    private static string? Probe()
    {
        try
        {
            var (exitCode, _, error) = Run(["version", "--client"], TimeSpan.FromSeconds(30));
            return exitCode == 0 ? null : $"'{Binary} version --client' exited with {exitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"kubectl is not installed ('{Binary}' not found; apt-get install -y kubernetes-client, which .ci/run installs; or set HBAC_KUBECTL)";
        }
    }

    private static (int ExitCode, string Output, string Error) Run(string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            throw new TimeoutException($"{Binary} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A fact that renders with kubectl; skipped with the reason when there is none.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Kubectl.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that renders with kubectl; skipped with the reason when there is none.</summary>
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        if (Kubectl.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}

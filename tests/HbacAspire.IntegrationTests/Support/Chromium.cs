namespace HbacAspire.IntegrationTests.Support;

/// <summary>Debian's chromium, which the browser tests drive (no browser is ever downloaded).</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public const string MissingReason = "chromium is not installed (apt-get install -y chromium); .ci/run installs it";

    /// <summary>The flags it runs headless with here: no sandbox (root), no GPU, and no calls home on a closed network.</summary>
    public static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];
}

/// <summary>A fact that needs chromium; skipped with the install command when it is missing.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium.Path))
        {
            Skip = Chromium.MissingReason;
        }
    }
}

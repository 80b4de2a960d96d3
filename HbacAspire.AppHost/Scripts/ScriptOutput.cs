namespace HbacAspire.AppHost.Scripts;

/// <summary>The AppHost's two streams: machine-read lines on stdout, timestamped status lines on stderr.</summary>
public sealed class ScriptOutput(TextWriter output, TextWriter status)
{
    public static ScriptOutput Console { get; } = new(System.Console.Out, System.Console.Error);

    private readonly Lock _gate = new();

    public void Endpoint(string resource, string url) => Line(output, $"endpoint {resource} {url}");

    public void Ready() => Line(output, "ready");

    public void Status(string line) => Line(status, $"{DateTime.Now:HH:mm:ss} {line}");

    private void Line(TextWriter writer, string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}

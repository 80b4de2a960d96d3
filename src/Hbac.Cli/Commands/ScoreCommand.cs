using System.CommandLine;
using Hbac.Cli.Services;
using Hbac.Contracts.V1;
using Hbac.Eeg.Formats;
using SpectrogramWindow = Hbac.Eeg.Windows.SpectrogramWindow;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac score --server &lt;url&gt; --spectrogram &lt;file&gt; [--offset s]</c>: decodes the 600-s window
/// locally (the seed's decode) and uploads its [400,300] plane, which the service repeats on the model's 3 channels.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "Inference service URL, e.g. http://localhost:5103", Required = true };
        var spectrogram = new Option<string>("--spectrogram") { Description = "Kaggle spectrogram parquet file, or its [400, T] .npy (hbac convert)", Required = true };
        var offset = new Option<double>("--offset") { Description = "Window start in seconds from the spectrogram's start", DefaultValueFactory = _ => 0 };
        var command = new Command("score", "Score one 600-s spectrogram window with the inference service");
        command.Options.Add(server);
        ServiceKey.AddOptions(command);
        ReplyWatchdog.AddOption(command);
        command.Options.Add(spectrogram);
        command.Options.Add(offset);
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(() =>
        {
            var url = parseResult.GetValue(server)!;
            var path = parseResult.GetValue(spectrogram)!;
            // The same file checks and decode as `hbac predict` (SpectrogramFiles), then the input's plane alone (the 3
            // channels repeat it): the service repeats it, and a third of the bytes travel.
            var window = SpectrogramFiles.ReadWindow(path, parseResult.GetValue(offset));
            var tensor = Tensor.FromFloats([SpectrogramWindow.Rows, SpectrogramWindow.Columns], window.AsSpan(0, SpectrogramWindow.PlaneSize));
            return InferenceServer.RunAsync(url, ServiceKey.Resolve(parseResult), ReplyWatchdog.Resolve(parseResult), async (client, watchdog) =>
            {
                var response = await client.ScoreAsync(new ScoreRequest { Tensor = tensor }, cancellationToken: watchdog.Token);
                Console.WriteLine($"{InferenceServer.Describe(response.Probabilities)}  model={response.ModelVersion}");
                return 0;
            }, ct);
        }));
        return command;
    }
}

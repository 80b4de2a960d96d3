using System.CommandLine;
using Spectre.Console;
using Hbac.Eeg;
using Hbac.Eeg.Formats;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Spectrograms;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac spectrogram</c>: transform 7 over a whole recording -> a Kaggle-layout [400, T] float32 .npy
/// (column k centred at 2k s from the start of the recording).
/// </summary>
internal static class SpectrogramCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("recording")
        {
            Description = $"An EEG recording ({string.Join(", ", RecordingFiles.Extensions)}) with the 16 electrodes of the double-banana chains (or, in an EDF/BDF, the chains as bipolar derivations)",
        };
        var output = (new Option<string>("--out") { Description = "The .npy file to write ([400, T] float32)", Required = true }).MustNotBeAFolder();
        var command = new Command("spectrogram", "Compute the Kaggle-layout spectrogram (LL, RL, LP, RP x 0.59-19.92 Hz, one column per 2 s) of an EEG recording");
        command.Arguments.Add(input);
        command.Options.Add(output);
        command.SetAction((parseResult, ct) => CliGuard.Run(() =>
        {
            var source = parseResult.GetValue(input)!;
            var target = parseResult.GetValue(output)!;
            if (!File.Exists(source))
            {
                throw new CliUsageException($"{source}: no such file");
            }
            Spectrogram? spectrogram = null;
            StderrProgress.Create().Start(progress =>
            {
                // Read a minute at a time: a day-long EDF costs its [400, T] output, not its samples.
                using var recording = ChunkedRecording.Open(source);
                var task = progress.AddTask(Markup.Escape($"spectrogram of {Path.GetFileName(source)}"), maxValue: Math.Max(1, recording.DurationSeconds)); // file names may hold [ ]
                spectrogram = EegSpectrogram.Compute(recording, read => task.Value = read, ct);
                task.Value = task.MaxValue;
                var folder = Path.GetDirectoryName(Path.GetFullPath(target));
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                }
                SpectrogramNpy.Write(target, spectrogram);
            });
            Console.WriteLine($"wrote {target} (400 x {spectrogram!.Columns})");
            return 0;
        }));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Hbac.Eeg.Labels;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Cli.Commands;

/// <summary>
/// <c>hbac predict</c>: a Kaggle submission for a folder's test.csv (<c>--data</c> + <c>--out</c>), or the six
/// probabilities of one spectrogram window (<c>--spectrogram</c> [+ <c>--offset</c>]).
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX classifier (model.onnx)", Required = true };
        var data = new Option<string?>("--data") { Description = "Kaggle-format folder: scores test.csv with test_spectrograms/" };
        var output = (new Option<string?>("--out") { Description = "submission.csv to write (eeg_id + six *_vote probabilities)" }).MustNotBeAFolder();
        var spectrogram = new Option<string?>("--spectrogram") { Description = "One spectrogram file (.parquet or .npy) to score with a spectrogram model" };
        var eeg = new Option<string?>("--eeg") { Description = "One EEG recording (.parquet, .edf, .bdf) to score with an EEG-window model" };
        var offset = new Option<double>("--offset") { Description = "Window start in seconds within --spectrogram or --eeg", DefaultValueFactory = _ => 0 };
        var input = new Option<string?>("--input") { Description = "spectrogram | eeg: what --data is scored on; must be what the model reads (default: the model's kind)" };
        var command = new Command("predict", "Score test.csv like a Kaggle submission (test_spectrograms/ or, with an EEG-window model, test_eegs/), or one window of one file.");
        foreach (var option in new Option[] { model, data, output, input, spectrogram, eeg, offset })
        {
            command.Options.Add(option);
        }
        command.SetAction((parseResult, ct) => CliGuard.RunAsync(async () =>
        {
            var folder = parseResult.GetValue(data);
            var file = parseResult.GetValue(spectrogram);
            var recording = parseResult.GetValue(eeg);
            if (new[] { folder, file, recording }.Count(v => v is not null) != 1)
            {
                throw new CliUsageException("predict: give one of --data <folder> --out <submission.csv>, --spectrogram <file> or --eeg <file>");
            }
            var outPath = parseResult.GetValue(output);
            if (folder is not null && outPath is null)
            {
                throw new CliUsageException("predict: --data needs --out <submission.csv>");
            }
            var modelPath = parseResult.GetValue(model)!;
            using var classifier = OnnxClassifier.Open(modelPath);
            // A model scores only the windows it was trained on: a mismatch is refused, never silently scored.
            var kind = classifier.InputKind();
            var asked = file is not null ? ModelInputKind.Spectrogram
                : recording is not null ? ModelInputKind.Eeg
                : parseResult.GetValue(input) is { } name ? TrainCommand.ParseInput(name) : kind;
            if (asked != kind)
            {
                var what = file is not null ? "--spectrogram" : recording is not null ? "--eeg" : $"--input {asked.Name()}";
                throw new CliUsageException($"{what}: {modelPath} reads {kind.Name()} windows ({ModelInputKinds.MetadataKey}), not {asked.Name()} windows");
            }
            if (recording is not null)
            {
                var scores = KagglePredictor.PredictEegFile(classifier, recording, parseResult.GetValue(offset));
                for (var c = 0; c < scores.Length; c++)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{EegClasses.VoteColumns[c]} {scores[c]:F6}"));
                }
                return 0;
            }
            if (file is not null)
            {
                var probabilities = KagglePredictor.PredictFile(classifier, file, parseResult.GetValue(offset));
                for (var c = 0; c < probabilities.Length; c++)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{EegClasses.VoteColumns[c]} {probabilities[c]:F6}"));
                }
                return 0;
            }
            var rows = await KagglePredictor.PredictTestAsync(classifier, folder!, ct: ct, kind: kind);
            VoteTable.Write(outPath!, rows);
            Console.Error.WriteLine($"wrote {Counted.Of(rows.Count, "row")} to {outPath}");
            return 0;
        }));
        return command;
    }
}

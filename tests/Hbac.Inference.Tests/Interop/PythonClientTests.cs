using System.Globalization;
using System.Text.Json;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Npy;
using Hbac.Eeg.Formats.Parquet;
using Hbac.Eeg.Montage;
using Hbac.Eeg.Spectrograms;
using Hbac.Inference.Tests.Support;

namespace Hbac.Inference.Tests.Interop;

/// <summary>
/// <c>clients/python/hbac_stream.py</c>, a Python gRPC client (grpcio, stubs generated from protos/, MNE reading
/// the EDF), against the service on a real loopback port: a client that is not ours streams a 256-Hz recording at
/// its own rate (the service resamples) and gets what <c>hbac stream</c> gets; its refusals are one line.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class PythonClientTests : IDisposable
{
    private const int Rate = 256;
    private const int Seconds = 55;

    private static readonly string Script = Path.Combine(SharedData.RepositoryRoot, "clients", "python", "hbac_stream.py");
    private static readonly string ScoreScript = Path.Combine(SharedData.RepositoryRoot, "clients", "python", "hbac_score.py");

    private readonly InferenceFactory _factory;
    private readonly string _url;
    private readonly TempFolder _dir = new();

    public PythonClientTests()
    {
        // A peak-pooled spectrogram model: its answer follows the window's largest normalised value, so an offset or a
        // normalisation that differs from the service's shows.
        _factory = new InferenceFactory(repository =>
            {
                TinyOnnxModel.EegFavouring(2).Publish(repository, "e1", validationLoss: 0.25);
                TinyOnnxModel.Favouring(1, pooling: "GlobalMaxPool").Publish(repository, "v1");
            },
            new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "None" }, kestrel: true);
        _url = _factory.KestrelAddress().ToString().TrimEnd('/');
    }

    public void Dispose()
    {
        _factory.Dispose();
        _dir.Dispose();
    }

    [PythonClientFact]
    public async Task StreamsAnEdfAtItsOwnRateAndGetsWhatHbacStreamGets()
    {
        var path = WriteEdf("clinical.edf", KaggleMontage.Columns.Select(c => c == "EKG" ? "ECG" : $"EEG {c}-REF"));

        var replies = RunJson(path);
        var (exit, output, error) = await CliCommandTests.RunAsync("stream", "--server", _url, path);

        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, replies.Count);
        Assert.Equal(lines.Length, replies.Count);
        for (var i = 0; i < replies.Count; i++)
        {
            var reply = replies[i];
            Assert.Equal(50 + 2 * i, reply.GetProperty("window_end_seconds").GetDouble());
            Assert.Equal(20 + 2 * i, reply.GetProperty("segment_start_seconds").GetDouble());
            Assert.Equal(30 + 2 * i, reply.GetProperty("segment_end_seconds").GetDouble());
            // 1-s messages: the resampler's look-ahead past a window's end arrives with the next second.
            Assert.Equal(21.0, reply.GetProperty("lag_seconds").GetDouble(), 6);
            Assert.Equal("e1", reply.GetProperty("model_version").GetString());
            // hbac stream resampled the same file on the client: the same class and probabilities (it prints 3 decimals).
            var printed = Probabilities(lines[i]);
            var sent = reply.GetProperty("probabilities");
            Assert.Equal(6, printed.Count);
            foreach (var (name, value) in printed)
            {
                Assert.True(Math.Abs(sent.GetProperty(name).GetDouble() - value) <= 0.0005 + 1e-6,
                    $"reply {i}: {name} {sent.GetProperty(name).GetDouble()} from Python, {value} from hbac stream");
            }
            Assert.Contains($"  {reply.GetProperty("top_class").GetString()} ", lines[i]);
        }

        // Quarter-second messages: the look-ahead arrives a quarter of a second after the window's end.
        var quarter = RunJson(path, "--chunk-seconds", "0.25");
        Assert.Equal(3, quarter.Count);
        Assert.All(quarter, reply => Assert.Equal(20.25, reply.GetProperty("lag_seconds").GetDouble(), 6));
    }

    [PythonClientFact]
    public void ARefusalIsOneLineWithTheServiceStatusAndARecordingWithoutTheChainsNamesWhatIsMissing()
    {
        var path = WriteEdf("clinical.edf", KaggleMontage.Columns);

        var (exit, output, error) = Python.RunFile(PythonClientFactAttribute.Interpreter!, Script, "--server", _url, "--api-key", "not-the-key", "--stubs", _dir.File("stubs"), path);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"hbac_stream.py: {_url}: PERMISSION_DENIED: wrong API key", line);

        var partial = WriteEdf("partial.edf", ["Fp1", "F3", "C3", "EKG"]);
        (exit, output, error) = Python.RunFile(PythonClientFactAttribute.Interpreter!, Script, "--server", _url, "--api-key", TestApiKey.Value, "--stubs", _dir.File("stubs"), partial);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith($"hbac_stream.py: {partial}: no P3, F7, T3, T5, O1, Fp2, F4, C4, P4, F8, T4, T6, O2 signal (labels: Fp1, F3, C3, EKG)", error);
    }

    [PythonClientFact]
    public async Task ScoresANpyWindowAsHbacScoresTheParquetItCameFrom()
    {
        // 310 columns of power rising along the time axis, with noise: every window has its own largest value.
        var random = new Random(11);
        var values = new float[400 * 310];
        for (var r = 0; r < 400; r++)
        {
            for (var c = 0; c < 310; c++)
            {
                values[r * 310 + c] = (float)Math.Exp(c / 60.0 + random.NextDouble() * 3 - 1);
            }
        }
        values[5 * 310 + 7] = float.NaN;
        var parquet = _dir.File("853520.parquet");
        SpectrogramParquetWriter.Write(parquet, new Spectrogram(values, [.. Enumerable.Range(0, 310).Select(c => 1f + 2 * c)]));
        var npy = _dir.File("853520.npy");
        var (exit, _, error) = await CliCommandTests.RunAsync("convert", parquet, "--out", npy);
        Assert.True(exit == 0, error);

        // Offset 20 s: columns 10-309; 100 s: columns 50-309 and 40 columns of padding.
        foreach (var offset in new[] { "20", "100" })
        {
            (exit, var output, error) = await CliCommandTests.RunAsync("score", "--server", _url, "--spectrogram", parquet, "--offset", offset);
            Assert.True(exit == 0, error);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            // hbac score reads the .npy too, with the same answer.
            Assert.Equal(output, (await CliCommandTests.RunAsync("score", "--server", _url, "--spectrogram", npy, "--offset", offset)).Output);
            (exit, var json, error) = Python.RunFile(PythonClientFactAttribute.Interpreter!, ScoreScript,
                "--server", _url, "--api-key", TestApiKey.Value, "--stubs", _dir.File("stubs"), "--json", "--offset", offset, npy);
            Assert.True(exit == 0, $"hbac_score.py exited with {exit}: {error}");
            var reply = JsonDocument.Parse(json).RootElement;
            Assert.Equal("v1", reply.GetProperty("model_version").GetString());
            Assert.StartsWith(reply.GetProperty("top_class").GetString() + " ", line);
            foreach (var (name, value) in Probabilities(line))
            {
                Assert.True(Math.Abs(reply.GetProperty("probabilities").GetProperty(name).GetDouble() - value) <= 0.0005 + 1e-6,
                    $"offset {offset}: {name} {reply.GetProperty("probabilities").GetProperty(name).GetDouble()} from Python, {value} from hbac score");
            }
            // Without --json: hbac score's own line.
            (exit, var printed, _) = Python.RunFile(PythonClientFactAttribute.Interpreter!, ScoreScript,
                "--server", _url, "--api-key", TestApiKey.Value, "--stubs", _dir.File("stubs"), "--offset", offset, npy);
            Assert.Equal(0, exit);
            Assert.Equal(line.Trim(), printed.Trim());
        }
        // The two offsets' windows differ, so the comparison above could tell a wrong offset.
        Assert.NotEqual((await CliCommandTests.RunAsync("score", "--server", _url, "--spectrogram", parquet, "--offset", "20")).Output,
            (await CliCommandTests.RunAsync("score", "--server", _url, "--spectrogram", parquet, "--offset", "100")).Output);
    }

    [PythonClientFact]
    public void ScoreRefusesAnArrayThatIsNotASpectrogramAndAnOffsetPastItsEnd()
    {
        var image = _dir.File("image.npy");
        NpyWriter.Write(image, new float[3 * 400 * 300], [3, 400, 300]);
        var (exit, output, error) = Python.RunFile(PythonClientFactAttribute.Interpreter!, ScoreScript,
            "--server", _url, "--api-key", TestApiKey.Value, "--stubs", _dir.File("stubs"), image);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"hbac_score.py: {image}: shape [3, 400, 300], expected a spectrogram [400, T] (4 regions x 100 frequencies, a column per 2 s; `hbac convert` writes a Kaggle parquet as one)", error.Trim());

        var spectrogram = _dir.File("short.npy");
        NpyWriter.Write(spectrogram, Enumerable.Repeat(1f, 400 * 20).ToArray(), [400, 20]);
        (exit, output, error) = Python.RunFile(PythonClientFactAttribute.Interpreter!, ScoreScript,
            "--server", _url, "--api-key", TestApiKey.Value, "--stubs", _dir.File("stubs"), "--offset", "40", spectrogram);

        Assert.Equal(2, exit);
        Assert.Equal($"hbac_score.py: {spectrogram}: --offset 40 s is past the spectrogram's end (40 s)", error.Trim());
    }

    private List<JsonElement> RunJson(string path, params string[] extra)
    {
        var (exit, output, error) = Python.RunFile(PythonClientFactAttribute.Interpreter!, Script,
            ["--server", _url, "--api-key", TestApiKey.Value, "--stubs", _dir.File("stubs"), "--json", .. extra, path]);
        Assert.True(exit == 0, $"hbac_stream.py exited with {exit}: {error}");
        Assert.Contains($"{Seconds}.0 s sent at {Rate} Hz, 3 replies", error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private string WriteEdf(string name, IEnumerable<string> labels)
    {
        var path = _dir.File(name);
        var list = labels.ToList();
        var random = new Random(8);
        using (var writer = new EdfPlusWriter(path, list, Rate, -3276.7, 3276.7, Seconds, [], DateTime.UnixEpoch))
        {
            writer.Write([.. list.Select(_ => Enumerable.Range(0, Seconds * Rate).Select(_ => (float)(random.NextDouble() * 60 - 30)).ToArray())]);
        }
        return path;
    }

    /// <summary>"seizure=0.123 lpd=..." of an <c>hbac stream</c> line, by name.</summary>
    private static Dictionary<string, double> Probabilities(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('='))
            .Where(pair => pair.Length == 2 && pair[0] is "seizure" or "lpd" or "gpd" or "lrda" or "grda" or "other")
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture));
}

/// <summary>
/// A fact that needs what <c>hbac_stream.py</c> needs: a Python with grpcio, protobuf, NumPy and MNE, and a way to
/// generate the stubs (pip's grpcio-tools, or protoc with grpc_python_plugin and the well-known types of
/// libprotobuf-dev). Skipped with the install command otherwise.
/// </summary>
internal sealed class PythonClientFactAttribute : FactAttribute
{
    public static readonly string? Interpreter = Python.With("grpc", "google.protobuf", "numpy", "mne");

    public PythonClientFactAttribute()
    {
        var stubs = Interpreter is not null && (Python.With("grpc_tools") == Interpreter || Debian());
        if (Interpreter is null || !stubs)
        {
            Skip = "no python3 with grpcio, protobuf, numpy and mne, or no protoc to generate its stubs (Debian: apt-get install " +
                "python3-grpcio python3-protobuf python3-numpy python3-mne protobuf-compiler protobuf-compiler-grpc libprotobuf-dev; or set HBAC_PYTHON)";
        }
    }

    private static bool Debian() =>
        ExecutablePath.Find("protoc") is not null && ExecutablePath.Find("grpc_python_plugin") is not null
        && File.Exists("/usr/include/google/protobuf/timestamp.proto");
}

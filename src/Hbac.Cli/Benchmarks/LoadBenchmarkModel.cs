using System.Globalization;
using System.Text.Json;
using Hbac.Learning.Benchmarks;
using Hbac.Learning.Models;
using Hbac.Learning.Onnx;
using Hbac.Learning.Training;
using Hbac.Onnx;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// The model repository a spawned service serves during <c>hbac bench load</c>, and a one-line
/// description of the model for the table (architecture, the input resolution the network sees,
/// parameters). By default an untrained full-resolution MobileNetV3-Large (what the <c>seed</c> profile
/// trains; weights do not change the speed) exported to ONNX in a temporary repository.
/// <para>
/// A temporary repository serves the network twice: as the spectrogram model (Score, the throughput
/// table) and, relabelled, as the EEG-window model (StreamEeg, the stream table). Both kinds take
/// [N,3,400,300], so the cost per window is the same network's.
/// </para>
/// </summary>
internal sealed class LoadBenchmarkModel : IDisposable
{
    public const string DefaultArchitecture = MobileNetV3Large.CatalogId;
    private const string Version = "bench-full-resolution";
    private const string EegVersion = "bench-full-resolution-eeg";

    private readonly DirectoryInfo? _temporary;

    private LoadBenchmarkModel(string repository, DirectoryInfo? temporary)
    {
        Repository = repository;
        _temporary = temporary;
    }

    public string Repository { get; }

    /// <summary>An untrained (seed 0) <see cref="DefaultArchitecture"/> at InputDownsample 1, exported to a new temporary repository.</summary>
    public static LoadBenchmarkModel ExportDefault()
    {
        var temporary = Directory.CreateTempSubdirectory("hbac-bench-load-");
        var folder = Path.Combine(temporary.FullName, Version);
        Directory.CreateDirectory(folder);
        ModelBenchmark.ExportForOrt(DefaultArchitecture, Path.Combine(folder, "model.onnx"));
        WriteCard(folder, DefaultArchitecture);
        AddEegCopy(temporary.FullName, DefaultArchitecture);
        return new LoadBenchmarkModel(temporary.FullName, temporary);
    }

    /// <summary>A temporary repository serving a copy of <paramref name="onnx"/>.</summary>
    public static LoadBenchmarkModel FromFile(string onnx)
    {
        var summary = OnnxModelSummary.Read(onnx);
        var temporary = Directory.CreateTempSubdirectory("hbac-bench-load-");
        var folder = Path.Combine(temporary.FullName, Version);
        Directory.CreateDirectory(folder);
        OnnxMetadataEditor.CopyWith(onnx, Path.Combine(folder, "model.onnx"), KindEntries(ModelInputKind.Spectrogram));
        WriteCard(folder, summary.ModelName);
        AddEegCopy(temporary.FullName, summary.ModelName);
        return new LoadBenchmarkModel(temporary.FullName, temporary);
    }

    /// <summary>An existing repository, used as it is.</summary>
    public static LoadBenchmarkModel Existing(string repository) =>
        Directory.Exists(repository) ? new LoadBenchmarkModel(Path.GetFullPath(repository), null) : throw new DirectoryNotFoundException($"{repository}: model repository not found");

    /// <summary>The served version's model, e.g. "mobilenetv3, network input [N,3,400,300] (full resolution), 2,977,718 parameters + 24,400 BatchNorm statistics".</summary>
    public string Describe(string version, string origin)
    {
        var path = Path.Combine(Repository, version, "model.onnx");
        if (!File.Exists(path))
        {
            return $"version {version} ({origin})";
        }
        var summary = OnnxModelSummary.Read(path);
        return Describe(summary, origin);
    }

    public static string Describe(OnnxModelSummary summary, string origin)
    {
        var resolution = summary.DownsampleText == "1"
            ? "full resolution"
            : $"input [{string.Join(",", summary.InputShape)}] downsampled {summary.DownsampleText}x inside the network";
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary.ModelName} ({origin}), network input {summary.EffectiveInputShape} ({resolution}), {summary.Parameters:N0} parameters + {summary.NormStatistics:N0} BatchNorm statistics");
    }

    public void Dispose() => _temporary?.Delete(recursive: true);

    private static void AddEegCopy(string repository, string model)
    {
        var folder = Path.Combine(repository, EegVersion);
        Directory.CreateDirectory(folder);
        OnnxMetadataEditor.CopyWith(Path.Combine(repository, Version, "model.onnx"), Path.Combine(folder, "model.onnx"), KindEntries(ModelInputKind.Eeg));
        WriteCard(folder, model);
    }

    private static KeyValuePair<string, string>[] KindEntries(ModelInputKind kind) =>
    [
        new(ModelInputKinds.MetadataKey, kind.Name()),
        new(ModelInputKinds.PreprocessingKey, JsonSerializer.Serialize(kind.Parameters())),
    ];

    private static void WriteCard(string folder, string model) =>
        File.WriteAllText(Path.Combine(folder, "card.json"), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["model"] = model,
            ["created_utc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        }));
}

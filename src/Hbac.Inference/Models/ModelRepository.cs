using Hbac.Inference.Extensions;
using Hbac.Onnx;
using Microsoft.Extensions.Options;

namespace Hbac.Inference.Models;

/// <summary>The served models, one per input kind, and the versions they were chosen from.</summary>
public interface IModelRepository
{
    /// <summary>The active version of <paramref name="kind"/>, or null when none is loaded.</summary>
    string? ActiveVersion(ModelInputKind kind);

    /// <summary>A reference to the active model of <paramref name="kind"/> (release it when done), or null when none is loaded.</summary>
    ServedModel? AcquireActive(ModelInputKind kind);

    /// <summary>Every version seen in the folder, newest first.</summary>
    IReadOnlyList<ModelVersionInfo> List();

    /// <summary>
    /// Rescans the folder, validates versions that are new or changed, and for each input kind serves
    /// the newest valid one among them when it is newer than that kind's active one (a version activated
    /// by hand stays pinned until a newer one of its kind is published). Never throws for a bad model:
    /// it is listed as invalid.
    /// </summary>
    Task RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads, validates and serves <paramref name="version"/> for its input kind (the other kind's model is
    /// untouched); throws <see cref="ModelVersionNotFoundException"/> or <see cref="ModelRejectedException"/>.
    /// </summary>
    Task<ModelVersionInfo> ActivateAsync(string version, CancellationToken cancellationToken = default);
}

/// <summary>
/// A folder of <c>&lt;version&gt;/model.onnx + card.json</c>; version names sort by age. A model's kind is
/// its ONNX metadata's (<see cref="ModelInputKinds.MetadataKey"/>): both kinds take [N,3,400,300], so
/// the kind, not the shape, decides which calls a model may answer. Loading and validation happen here, on the caller's thread (the watcher's, never a request's, except for an
/// explicit ActivateModel); the swap is one atomic exchange of that kind's active reference.
/// </summary>
public sealed partial class ModelRepository : IModelRepository, IDisposable
{
    public const string ModelFileName = ModelRepositoryLayout.ModelFile;
    public const string CardFileName = ModelRepositoryLayout.CardFile;

    private static readonly IReadOnlyList<long> ExpectedInputShape = [-1, OnnxClassifier.Channels, OnnxClassifier.Height, OnnxClassifier.Width];

    private readonly string _root;
    private readonly int _threads;
    private readonly bool _spinning;
    private readonly ILogger<ModelRepository> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _entriesLock = new();
    // Indexed by ModelInputKind.
    private readonly ServedModel?[] _active = new ServedModel?[Enum.GetValues<ModelInputKind>().Length];

    public ModelRepository(IOptions<InferenceOptions> options, ILogger<ModelRepository> logger)
    {
        _root = Path.GetFullPath(options.Value.ModelRepository);
        _threads = options.Value.ModelThreads;
        _spinning = options.Value.ModelThreadSpinning;
        _logger = logger;
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public string? ActiveVersion(ModelInputKind kind) => Volatile.Read(ref _active[(int)kind])?.Version;

    public ServedModel? AcquireActive(ModelInputKind kind)
    {
        while (true)
        {
            var model = Volatile.Read(ref _active[(int)kind]);
            if (model is null)
            {
                return null;
            }
            if (model.TryAcquire())
            {
                return model;
            }
            // Retired between the read and the acquire: the swap already published its successor.
        }
    }

    public IReadOnlyList<ModelVersionInfo> List()
    {
        lock (_entriesLock)
        {
            return _entries.Values
                .OrderByDescending(e => e.Version, StringComparer.Ordinal)
                .Select(e => new ModelVersionInfo(e.Version, e.InvalidReason is null, e.InvalidReason, e.Version == ActiveVersion(e.Kind), e.Card,
                    e.InvalidReason is null ? ExpectedInputShape : [], e.Kind, e.InvalidReason is null ? e.ExecutionProvider : null))
                .ToList();
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var onDisk = ScanVersions();
            lock (_entriesLock)
            {
                foreach (var gone in _entries.Keys.Where(v => !onDisk.ContainsKey(v)).ToList())
                {
                    _entries.Remove(gone);
                }
            }
            var changed = onDisk
                .Where(pair => !TryGetEntry(pair.Key, out var known) || known.Stamp != pair.Value)
                .Select(pair => pair.Key)
                .OrderByDescending(v => v, StringComparer.Ordinal)
                .ToList();
            var swapped = new HashSet<ModelInputKind>();
            foreach (var version in changed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var candidate = Load(version, onDisk[version]);
                if (candidate is null)
                {
                    continue;
                }
                var active = ActiveVersion(candidate.Kind);
                if (!swapped.Contains(candidate.Kind) && (active is null || string.CompareOrdinal(version, active) > 0 || version == active))
                {
                    Swap(candidate);
                    swapped.Add(candidate.Kind);
                }
                else
                {
                    // Validated only; the session is not kept for a version that is not served.
                    candidate.Release();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ModelVersionInfo> ActivateAsync(string version, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(version) || !ModelRepositoryLayout.IsVersionName(version))
        {
            throw new ModelVersionNotFoundException(version);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var folder = Path.Combine(_root, version);
            if (!Directory.Exists(folder))
            {
                throw new ModelVersionNotFoundException(version);
            }
            var model = Load(version, StampOf(folder));
            if (model is null)
            {
                var (kind, reason) = TryGetEntry(version, out var entry) ? (entry.Kind, entry.InvalidReason) : (ModelInputKind.Spectrogram, null);
                throw new ModelRejectedException(
                    $"version '{version}' is invalid ({reason ?? "not loadable"}); '{ActiveVersion(kind) ?? "none"}' stays the active {kind.Name()} model");
            }
            Swap(model);
        }
        finally
        {
            _gate.Release();
        }
        return List().First(m => m.Version == version);
    }

    public void Dispose()
    {
        for (var i = 0; i < _active.Length; i++)
        {
            Interlocked.Exchange(ref _active[i], null)?.Release();
        }
        _gate.Dispose();
    }

    /// <summary>Opens and validates one version; records the outcome; null when it is refused.</summary>
    private ServedModel? Load(string version, FileStamp stamp)
    {
        var folder = Path.Combine(_root, version);
        var card = ModelCardSummary.Read(Path.Combine(folder, CardFileName));
        // Until the model itself says otherwise, the card's word is all there is (a corrupt model.onnx is still listed under its kind).
        var kind = CardKind(card);
        try
        {
            var classifier = OnnxClassifier.Open(Path.Combine(folder, ModelFileName), _threads, spinning: _spinning);
            try
            {
                kind = ModelInputKinds.FromMetadata(classifier.Metadata);
            }
            catch (ArgumentException e)
            {
                classifier.Dispose();
                throw new InvalidDataException($"{ModelFileName}: metadata {ModelInputKinds.MetadataKey}: {e.Message}");
            }
            Record(new Entry(version, stamp, card, null, kind, classifier.ExecutionProvider));
            LogLoaded(version, kind.Name(), classifier.ExecutionProvider, OnnxRuntimeBuild.Version, OnnxRuntimeBuild.Package,
                classifier.CudaUnavailableReason is { } why ? $" (CUDA unavailable: {why})" : "");
            return new ServedModel(version, kind, classifier);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = e.Message.Split('\n')[0].Trim();
            Record(new Entry(version, stamp, card, reason, kind));
            LogRefused(version, reason, ActiveVersion(kind) ?? "none");
            return null;
        }
    }

    private static ModelInputKind CardKind(ModelCardSummary card)
    {
        try
        {
            return card.Input is { } input ? ModelInputKinds.Parse(input) : ModelInputKind.Spectrogram;
        }
        catch (ArgumentException)
        {
            return ModelInputKind.Spectrogram;
        }
    }

    private void Swap(ServedModel model)
    {
        var previous = Interlocked.Exchange(ref _active[(int)model.Kind], model);
        LogActivated(model.Kind.Name(), model.Version, previous?.Version ?? "none");
        // Batches still running on the previous model hold their own references.
        previous?.Release();
    }

    private Dictionary<string, FileStamp> ScanVersions()
    {
        var versions = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        foreach (var folder in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(folder);
            if (ModelRepositoryLayout.IsVersionName(name))
            {
                versions[name] = StampOf(folder);
            }
        }
        return versions;
    }

    private static FileStamp StampOf(string folder)
    {
        var file = new FileInfo(Path.Combine(folder, ModelFileName));
        return file.Exists ? new FileStamp(file.Length, file.LastWriteTimeUtc) : new FileStamp(-1, DateTime.MinValue);
    }

    private bool TryGetEntry(string version, out Entry entry)
    {
        lock (_entriesLock)
        {
            return _entries.TryGetValue(version, out entry!);
        }
    }

    private void Record(Entry entry)
    {
        lock (_entriesLock)
        {
            _entries[entry.Version] = entry;
        }
    }

    private readonly record struct FileStamp(long Length, DateTime LastWriteUtc);

    private sealed record Entry(string Version, FileStamp Stamp, ModelCardSummary Card, string? InvalidReason, ModelInputKind Kind, string? ExecutionProvider = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Version} ({Kind}) validated on {ExecutionProvider}{CudaNote}, ONNX Runtime {OrtVersion} from {OrtPackage}")]
    private partial void LogLoaded(string version, string kind, string executionProvider, string ortVersion, string ortPackage, string cudaNote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Version} refused: {Reason}; {Active} keeps serving")]
    private partial void LogRefused(string version, string reason, string active);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Kind} model {Version} (was {Previous})")]
    private partial void LogActivated(string kind, string version, string previous);
}

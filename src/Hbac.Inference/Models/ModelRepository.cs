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
    /// the newest valid one; a version activated by hand (on any replica sharing the folder: see
    /// <see cref="ModelPin"/>) stays pinned until a newer one of its kind is published. Never throws for
    /// a bad model: it is listed as invalid.
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
    private readonly ModelPrecision _precision;
    private readonly ILogger<ModelRepository> _logger;
    // Never disposed: Dispose waits on it for a refresh in flight, which then releases it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _entriesLock = new();
    // Indexed by ModelInputKind.
    private readonly ServedModel?[] _active = new ServedModel?[Enum.GetValues<ModelInputKind>().Length];

    public ModelRepository(IOptions<InferenceOptions> options, ILogger<ModelRepository> logger)
    {
        _root = Path.GetFullPath(options.Value.ModelRepository);
        _threads = options.Value.ModelThreads;
        _spinning = options.Value.ModelThreadSpinning;
        _precision = options.Value.PreferredPrecision;
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
            var rows = new List<ModelVersionInfo>(_entries.Count);
            foreach (var e in _entries.Values.OrderByDescending(e => e.Version, StringComparer.Ordinal))
            {
                var active = Volatile.Read(ref _active[(int)e.Kind]);
                bool IsActive(ModelPrecision precision) => active is not null && active.Version == e.Version && active.Precision == precision;
                var valid = e.InvalidReason is null;
                rows.Add(new ModelVersionInfo(e.Version, valid, e.InvalidReason, IsActive(ModelPrecision.Fp32), e.Card,
                    valid ? ExpectedInputShape : [], e.Kind, valid ? e.ExecutionProvider : null, ModelPrecision.Fp32));
                if (e.Int8 is { } int8)
                {
                    var int8Valid = valid && int8.InvalidReason is null;
                    rows.Add(new ModelVersionInfo(e.Version, int8Valid, valid ? int8.InvalidReason : e.InvalidReason, IsActive(ModelPrecision.Int8), e.Card,
                        int8Valid ? ExpectedInputShape : [], e.Kind, int8Valid ? int8.ExecutionProvider : null, ModelPrecision.Int8));
                }
            }
            return rows;
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_disposed)
            {
                // Shutting down: a poll that was already waiting loads nothing more.
                return;
            }
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
            var loaded = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
            try
            {
                var pins = Enum.GetValues<ModelInputKind>().ToDictionary(kind => kind, kind => ModelPin.Read(_root, kind));
                foreach (var version in changed)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (Load(version, onDisk[version]) is not { } candidate)
                    {
                        continue;
                    }
                    // Newest first: only a kind's newest and its pinned version can be chosen below; the rest were validated only.
                    if (loaded.Values.Any(m => m.Kind == candidate.Kind) && pins[candidate.Kind]?.Version != version)
                    {
                        candidate.Release();
                        continue;
                    }
                    loaded[version] = candidate;
                }
                foreach (var kind in Enum.GetValues<ModelInputKind>())
                {
                    // The same choice in every replica that shares the folder: the pin file, then the newest.
                    var desired = ModelPin.Choose(pins[kind], ValidVersions(kind));
                    if (desired is null || (desired == ActiveVersion(kind) && !loaded.ContainsKey(desired)))
                    {
                        continue;
                    }
                    if (loaded.Remove(desired, out var model) || (model = Load(desired, onDisk[desired])) is not null)
                    {
                        Swap(model);
                    }
                }
            }
            finally
            {
                // Validated only; the session is not kept for a version that is not served.
                foreach (var unused in loaded.Values)
                {
                    unused.Release();
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
            ObjectDisposedException.ThrowIf(_disposed, this);
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
            PinForEveryReplica(version, model.Kind);
        }
        finally
        {
            _gate.Release();
        }
        return List().Where(m => m.Version == version).OrderByDescending(m => m.Active).First();
    }

    public void Dispose()
    {
        // A refresh or activation in flight (the watcher's poll while the host shuts down) ends first and
        // none starts after, so no model is swapped in after the served ones are released.
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            for (var i = 0; i < _active.Length; i++)
            {
                Interlocked.Exchange(ref _active[i], null)?.Release();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Opens and validates one version (and its int8 model, when there is one); records the outcome;
    /// returns the model of the preferred precision, or null when the version is refused.
    /// </summary>
    private ServedModel? Load(string version, FileStamp stamp)
    {
        var folder = Path.Combine(_root, version);
        var card = ModelCardSummary.Read(Path.Combine(folder, CardFileName));
        // Until the model itself says otherwise, the card's word is all there is (a corrupt model.onnx is still listed under its kind).
        var kind = CardKind(card);
        OnnxClassifier fp32;
        try
        {
            (fp32, kind) = OpenValidated(folder, ModelPrecision.Fp32, expectedKind: null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = FirstLine(e);
            Record(new Entry(version, stamp, card, reason, kind));
            LogRefused(version, reason, ActiveVersion(kind) ?? "none");
            return null;
        }

        Int8Model? int8 = null;
        OnnxClassifier? int8Classifier = null;
        if (File.Exists(Path.Combine(folder, ModelPrecision.Int8.FileName())))
        {
            try
            {
                (int8Classifier, _) = OpenValidated(folder, ModelPrecision.Int8, kind);
                int8 = new Int8Model(null, int8Classifier.ExecutionProvider);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var reason = FirstLine(e);
                int8 = new Int8Model(reason, null);
                LogInt8Refused(version, reason);
            }
        }
        var served = _precision == ModelPrecision.Int8 && int8Classifier is not null
            ? new ServedModel(version, kind, int8Classifier, ModelPrecision.Int8)
            : new ServedModel(version, kind, fp32, ModelPrecision.Fp32);
        // Only the served session is kept; the other was opened to validate it.
        (served.Precision == ModelPrecision.Int8 ? fp32 : int8Classifier)?.Dispose();
        Record(new Entry(version, stamp, card, null, kind, fp32.ExecutionProvider, int8));
        var classifierNote = served.CudaUnavailableReason is { } why ? $" (CUDA unavailable: {why})" : "";
        LogLoaded(version, kind.Name(), served.Precision.Name(), served.ExecutionProvider, OnnxRuntimeBuild.Version, OnnxRuntimeBuild.Package, classifierNote);
        return served;
    }

    /// <summary>Opens a version's model file of <paramref name="precision"/> and checks what its metadata says it is.</summary>
    private (OnnxClassifier Classifier, ModelInputKind Kind) OpenValidated(string folder, ModelPrecision precision, ModelInputKind? expectedKind)
    {
        var file = precision.FileName();
        var classifier = OnnxClassifier.Open(Path.Combine(folder, file), _threads, spinning: _spinning);
        try
        {
            ModelInputKind kind;
            ModelPrecision declared;
            try
            {
                kind = ModelInputKinds.FromMetadata(classifier.Metadata);
                declared = ModelPrecisions.FromMetadata(classifier.Metadata);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{file}: metadata: {e.Message}");
            }
            if (declared != precision)
            {
                throw new InvalidDataException($"{file}: metadata {ModelPrecisions.MetadataKey} says {declared.Name()}, expected {precision.Name()}");
            }
            if (expectedKind is { } expected && kind != expected)
            {
                throw new InvalidDataException($"{file}: an {kind.Name()} model beside an {expected.Name()} {ModelFileName}");
            }
            return (classifier, kind);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>What a listing shows of a refusal: its message's first line.</summary>
    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();

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
        LogActivated(model.Kind.Name(), model.Version, model.Precision.Name(), previous?.Version ?? "none");
        // Batches still running on the previous model hold their own references.
        previous?.Release();
    }

    /// <summary>
    /// Records the activation in the folder, so that other replicas (at their next refresh: an announcement
    /// or the poll) and this one after a restart serve it too. A folder this process may not write keeps
    /// the activation local, and says so.
    /// </summary>
    private void PinForEveryReplica(string version, ModelInputKind kind)
    {
        try
        {
            var newest = ScanVersions().Keys.Append(version).Max(StringComparer.Ordinal)!;
            new ModelPin(version, newest, DateTimeOffset.UtcNow).Write(_root, kind);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogPinNotWritten(version, _root, e.Message);
        }
    }

    private List<string> ValidVersions(ModelInputKind kind)
    {
        lock (_entriesLock)
        {
            return _entries.Values.Where(e => e.Kind == kind && e.InvalidReason is null)
                .Select(e => e.Version).OrderDescending(StringComparer.Ordinal).ToList();
        }
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
        var int8 = new FileInfo(Path.Combine(folder, ModelPrecision.Int8.FileName()));
        return new FileStamp(
            file.Exists ? file.Length : -1, file.Exists ? file.LastWriteTimeUtc : DateTime.MinValue,
            int8.Exists ? int8.Length : -1, int8.Exists ? int8.LastWriteTimeUtc : DateTime.MinValue);
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

    /// <summary>model.onnx's and model.int8.onnx's length and time (-1 when absent): a change to either reloads the version.</summary>
    private readonly record struct FileStamp(long Length, DateTime LastWriteUtc, long Int8Length, DateTime Int8LastWriteUtc);

    /// <summary>A version's model.int8.onnx: refused (with the reason) or valid on a provider.</summary>
    private sealed record Int8Model(string? InvalidReason, string? ExecutionProvider);

    private sealed record Entry(string Version, FileStamp Stamp, ModelCardSummary Card, string? InvalidReason, ModelInputKind Kind, string? ExecutionProvider = null, Int8Model? Int8 = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Version} ({Kind}, {Precision}) validated on {ExecutionProvider}{CudaNote}, ONNX Runtime {OrtVersion} from {OrtPackage}")]
    private partial void LogLoaded(string version, string kind, string precision, string executionProvider, string ortVersion, string ortPackage, string cudaNote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Version}: its int8 model is refused ({Reason}); model.onnx serves for it")]
    private partial void LogInt8Refused(string version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Version} refused: {Reason}; {Active} keeps serving")]
    private partial void LogRefused(string version, string reason, string active);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activation of {Version} is not shared with other replicas: cannot write its pin in {Root} ({Reason})")]
    private partial void LogPinNotWritten(string version, string root, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Kind} model {Version} ({Precision}) (was {Previous})")]
    private partial void LogActivated(string kind, string version, string precision, string previous);
}

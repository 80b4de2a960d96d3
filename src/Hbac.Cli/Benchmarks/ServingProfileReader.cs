using Hbac.Cli.Services;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Benchmarks;

/// <summary>
/// Reads and zeroes the serving profile (GetServingProfile) a load level's stage table is built from. Behind a
/// proxy with replicas, a call through the proxy reaches only the replica its connection lands on, while the
/// level's streams spread over all of them: there each replica is asked at its own address, and the profiles are
/// summed (<see cref="Sum"/>). It also counts the EEG windows each replica scored since <see cref="BeginLevelAsync"/>.
/// </summary>
internal sealed class ServingProfileReader
{
    /// <summary>One service's GetServingProfile, zeroing its sums after reading when <paramref name="reset"/>.</summary>
    public delegate Task<ServingProfile> ProfileCall(bool reset, CancellationToken ct);

    private readonly ProfileCall[] _services;
    private readonly long[] _windowsBeforeLastReset;
    private readonly long[] _windowsSinceLastReset;

    /// <param name="services">Per service, a call of GetServingProfile (reset or not).</param>
    internal ServingProfileReader(ProfileCall[] services)
    {
        _services = services;
        _windowsBeforeLastReset = new long[services.Length];
        _windowsSinceLastReset = new long[services.Length];
    }

    /// <summary>The one service a level's streams reach.</summary>
    public static ServingProfileReader Of(Inference.InferenceClient client) =>
        new([(reset, ct) => client.GetServingProfileAsync(new GetServingProfileRequest { Reset = reset }, cancellationToken: ct).ResponseAsync]);

    /// <summary>Each replica at its own address (a connection per call, as a level's streams each have theirs).</summary>
    public static ServingProfileReader OfReplicas(IReadOnlyList<string> replicaUrls, ServiceKey key) =>
        new([.. replicaUrls.Select<string, ProfileCall>(url => async (reset, ct) =>
        {
            using var channel = InferenceLoad.Channel(url, key);
            return await new Inference.InferenceClient(channel).GetServingProfileAsync(
                new GetServingProfileRequest { Reset = reset }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
        })]);

    /// <summary>How many services the profile sums: 1, or the replicas asked at their own addresses.</summary>
    public int Services => _services.Length;

    /// <summary>EEG windows each replica (or the one service) scored from <see cref="BeginLevelAsync"/> to the last read.</summary>
    public IReadOnlyList<long> EegWindowsPerService =>
        [.. _windowsBeforeLastReset.Zip(_windowsSinceLastReset, (before, since) => before + since)];

    /// <summary>Zeroes every profile, so a level's sums hold its own windows only.</summary>
    public async Task BeginLevelAsync(CancellationToken ct)
    {
        await ReadAsync(reset: true, ct);
        Array.Clear(_windowsBeforeLastReset);
        Array.Clear(_windowsSinceLastReset);
    }

    /// <summary>The summed profile since the last reset; <paramref name="reset"/> zeroes it after reading.</summary>
    public async Task<ServingProfile> ReadAsync(bool reset, CancellationToken ct)
    {
        var profiles = new ServingProfile[_services.Length];
        for (var i = 0; i < _services.Length; i++)
        {
            profiles[i] = await _services[i](reset, ct);
            var windows = profiles[i].WindowsScored(ModelInputKind.Eeg);
            if (reset)
            {
                _windowsBeforeLastReset[i] += windows;
                _windowsSinceLastReset[i] = 0;
            }
            else
            {
                _windowsSinceLastReset[i] = windows;
            }
        }
        return Sum(profiles);
    }

    /// <summary>
    /// Several services' profiles as one: each (input kind, stage)'s sums added, in the order the stages first
    /// appear, over the longest of their periods.
    /// </summary>
    public static ServingProfile Sum(IReadOnlyList<ServingProfile> profiles)
    {
        var sum = new ServingProfile { Seconds = profiles.Count == 0 ? 0 : profiles.Max(p => p.Seconds) };
        sum.Stages.AddRange(profiles.SelectMany(p => p.Stages)
            .GroupBy(s => (s.InputKind, s.Stage))
            .Select(stage => stage.Aggregate(new StageCost { InputKind = stage.Key.InputKind, Stage = stage.Key.Stage }, Add)));
        return sum;
    }

    /// <summary>One stage's sums added to another's (the same input kind and stage).</summary>
    public static StageCost Add(StageCost a, StageCost b) => new()
    {
        InputKind = a.InputKind,
        Stage = a.Stage,
        Windows = a.Windows + b.Windows,
        WallMs = a.WallMs + b.WallMs,
        CpuMs = a.CpuMs + b.CpuMs,
        CpuWindows = a.CpuWindows + b.CpuWindows,
    };
}

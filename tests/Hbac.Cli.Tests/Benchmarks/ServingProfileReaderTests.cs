using Hbac.Cli.Benchmarks;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Tests.Benchmarks;

public sealed class ServingProfileReaderTests
{
    [Fact]
    public void ProfilesAreSummedPerKindAndStageInTheOrderTheStagesFirstAppear()
    {
        var a = Profile(10, Stage(ModelInputKind.Eeg, "receive", 4, 1.0, 0.8, 4), Stage(ModelInputKind.Eeg, "window", 4, 8.0, 7.5, 3));
        var b = Profile(12, Stage(ModelInputKind.Spectrogram, "model", 2, 3.0, 0, 0), Stage(ModelInputKind.Eeg, "window", 6, 12.0, 11.0, 6),
            Stage(ModelInputKind.Eeg, "model", 6, 9.0, 0, 0));

        var sum = ServingProfileReader.Sum([a, b]);

        Assert.Equal(12, sum.Seconds);
        Assert.Equal(["Eeg receive", "Eeg window", "Spectrogram model", "Eeg model"], sum.Stages.Select(s => $"{s.InputKind} {s.Stage}"));
        var window = sum.Stages[1];
        Assert.Equal((10, 20.0, 18.5, 9), (window.Windows, window.WallMs, window.CpuMs, window.CpuWindows));
        Assert.Equal(4, sum.Stages[0].Windows);
        Assert.Equal(2, sum.Stages[2].Windows);
    }

    [Fact]
    public async Task EachReplicaIsResetAndItsWindowsCountFromTheLevelsStartAcrossTheSteadyStatesReset()
    {
        // Two replicas whose counters run on between calls, as a level's streams keep them busy.
        var windows = new long[] { 5, 7 };
        var resets = new int[2];
        ServingProfileReader.ProfileCall Service(int replica) => (reset, _) =>
        {
            var profile = Profile(1, Stage(ModelInputKind.Eeg, "model", windows[replica], windows[replica], windows[replica], windows[replica]));
            if (reset)
            {
                windows[replica] = 0;
                resets[replica]++;
            }
            return Task.FromResult(profile);
        };
        var reader = new ServingProfileReader([Service(0), Service(1)]);

        await reader.BeginLevelAsync(CancellationToken.None);
        Assert.Equal([0L, 0L], reader.EegWindowsPerService);
        (windows[0], windows[1]) = (3, 4);
        var warmUp = await reader.ReadAsync(reset: true, CancellationToken.None);
        (windows[0], windows[1]) = (10, 20);
        var steady = await reader.ReadAsync(reset: false, CancellationToken.None);

        Assert.Equal([2, 2], resets);
        Assert.Equal(7, warmUp.Stages.Single().Windows);
        Assert.Equal(30, steady.Stages.Single().Windows);
        Assert.Equal([13L, 24L], reader.EegWindowsPerService);
        Assert.Equal(2, reader.Services);
    }

    private static ServingProfile Profile(double seconds, params StageCost[] stages)
    {
        var profile = new ServingProfile { Seconds = seconds };
        profile.Stages.AddRange(stages);
        return profile;
    }

    private static StageCost Stage(ModelInputKind kind, string stage, long windows, double wallMs, double cpuMs, long cpuWindows) =>
        new() { InputKind = kind, Stage = stage, Windows = windows, WallMs = wallMs, CpuMs = cpuMs, CpuWindows = cpuWindows };
}

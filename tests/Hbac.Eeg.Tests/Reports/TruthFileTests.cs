using Hbac.Eeg.Reports;

namespace Hbac.Eeg.Tests.Reports;

public class TruthFileTests
{
    [Fact]
    public void RoundTripsAndRefusesBadLines()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "t.truth.csv");
        AnnotatedEvent[] events = [new(60, 125.5, 0), new(700, 900, 3)];
        TruthFile.Write(path, events);
        Assert.Equal(events, TruthFile.Read(path));

        File.WriteAllText(path, "onset_seconds,offset_seconds,class\n10,5,Seizure\n");
        var error = Assert.Throws<EegDataException>(() => TruthFile.Read(path));
        Assert.Contains("line 2", error.Message);
        File.WriteAllText(path, "onset_seconds,offset_seconds,class\n10,50,Spike\n");
        Assert.Contains("unknown class 'Spike'", Assert.Throws<EegDataException>(() => TruthFile.Read(path)).Message);
    }
}

using System.Globalization;
using Hbac.Cli.Reports;
using Hbac.Eeg.Metrics;

namespace Hbac.Cli.Tests.Reports;

public class IntervalTextTests
{
    [Fact]
    public void AnIntervalNamesItsLevelEndsPatientsAndResamples()
    {
        var interval = new BootstrapInterval(0.5961, 0.51234, 0.68771, 0.95, 2000, 17);

        var text = IntervalText.Describe(interval, v => v.ToString("F4", CultureInfo.InvariantCulture));

        Assert.Equal("95% interval 0.5123 to 0.6877 over the fold's 17 patients, 2000 bootstrap resamples", text);
    }

    [Theory]
    [InlineData(1, "no interval: the fold holds 1 patient, fewer than the 3 a bootstrap over patients needs")]
    [InlineData(2, "no interval: the fold holds 2 patients, fewer than the 3 a bootstrap over patients needs")]
    public void TooFewPatientsSayWhy(int patients, string expected) => Assert.Equal(expected, IntervalText.NoInterval(patients));
}

using Hbac.Training.Execution;

namespace Hbac.Training.Tests;

public class ExportedModelCheckTests
{
    [Theory]
    [InlineData(0.8062, 0.8062)]
    [InlineData(0.8062, 0.8101)]
    [InlineData(0.5961, 0.5920)]
    public void AnExportThatScoresAsTrainingMeasuredIsPublished(double trained, double exported) =>
        Assert.Null(RunExecutor.ExportedModelProblem(trained, exported));

    [Theory]
    [InlineData(0.8206, 1.4221)]
    [InlineData(0.6165, 0.6984)]
    [InlineData(0.8062, 0.7990)]
    [InlineData(0.8062, double.NaN)]
    public void AnExportThatScoresOtherwiseIsRefusedWithBothNumbers(double trained, double exported)
    {
        var problem = RunExecutor.ExportedModelProblem(trained, exported);
        Assert.NotNull(problem);
        Assert.Contains("training measured " + trained.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), problem);
        Assert.Contains("not published", problem);
    }
}

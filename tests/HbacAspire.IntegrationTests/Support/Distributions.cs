using Hbac.Contracts.V1;

namespace HbacAspire.IntegrationTests.Support;

internal static class Distributions
{
    /// <summary>Six finite probabilities >= 0 summing to 1 within 1e-4, and the top class their argmax.</summary>
    public static void AssertValid(ClassProbabilities probabilities, EegClass topClass, string what)
    {
        float[] values = [probabilities.Seizure, probabilities.Lpd, probabilities.Gpd, probabilities.Lrda, probabilities.Grda, probabilities.Other];
        Assert.True(values.All(v => float.IsFinite(v) && v >= 0), $"{what}: probabilities [{string.Join(", ", values)}] are not all finite and >= 0");
        var sum = values.Sum(v => (double)v);
        Assert.True(Math.Abs(sum - 1) <= 1e-4, $"{what}: probabilities sum to {sum}");
        var top = Array.IndexOf(values, values.Max());
        Assert.True((int)topClass == top + 1, $"{what}: top class {topClass} is not the most probable (index {top})");
    }
}

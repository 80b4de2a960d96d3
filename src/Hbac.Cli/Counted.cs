using System.Globalization;

namespace Hbac.Cli;

/// <summary>A count with its noun, singular for one ("1 row", "3 rows"): Kaggle's test set has one row.</summary>
internal static class Counted
{
    public static string Of(long count, string noun, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? noun : plural ?? noun + "s")}");
}

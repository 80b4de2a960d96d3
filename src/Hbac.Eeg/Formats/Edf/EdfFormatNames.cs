namespace Hbac.Eeg.Formats.Edf;

/// <summary>How a file names its variant: the format and the EDF+ mark in the reserved field.</summary>
internal static class EdfFormatNames
{
    public static string Variant(EdfFormat format, string reserved)
    {
        var name = format == EdfFormat.Bdf ? "BDF" : "EDF";
        foreach (var mark in new[] { "+C", "+D" })
        {
            if (reserved.StartsWith(name + mark, StringComparison.Ordinal))
            {
                return name + mark;
            }
        }
        return name;
    }
}

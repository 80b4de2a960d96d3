using System.Text;

namespace Hbac.Eeg;

/// <summary>
/// Bad input data: the message names the file (or field) and the problem in one line,
/// so command-line tools and services can show it as is, without a stack trace.
/// Control characters that came from the input (a label with a newline, a NUL in a field) are
/// escaped in the message, so it stays one line whatever the file holds.
/// </summary>
public sealed class EegDataException : Exception
{
    public EegDataException(string message) : base(OneLine(message)) { }

    public EegDataException(string message, Exception inner) : base(OneLine(message), inner) { }

    /// <summary>"&lt;file&gt;: &lt;problem&gt;" - the shape every reader uses.</summary>
    public static EegDataException InFile(string path, string problem, Exception? inner = null) =>
        inner is null ? new($"{path}: {problem}") : new($"{path}: {problem}", inner);

    /// <summary>
    /// The text with every control character written as an escape (\n, \r, \t, \u0000...): what an
    /// error message quoting input must do to stay on one line.
    /// </summary>
    public static string OneLine(string text)
    {
        var clean = true;
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                clean = false;
                break;
            }
        }
        if (clean)
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || c is '\u2028' or '\u2029')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        return builder.ToString();
    }
}

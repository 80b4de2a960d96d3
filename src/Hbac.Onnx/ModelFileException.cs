namespace Hbac.Onnx;

/// <summary>
/// A model or weights file that cannot be used (missing, corrupt, wrong architecture or input shape).
/// One line, "&lt;file&gt;: &lt;problem&gt;"; an <see cref="IOException"/> so command-line tools print it as is.
/// </summary>
public sealed class ModelFileException : IOException
{
    public ModelFileException(string message) : base(message) { }

    public ModelFileException(string message, Exception inner) : base(message, inner) { }

    public static ModelFileException InFile(string path, string problem, Exception? inner = null) =>
        inner is null ? new($"{path}: {problem}") : new($"{path}: {problem}", inner);
}

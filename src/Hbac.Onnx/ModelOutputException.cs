namespace Hbac.Onnx;

/// <summary>
/// A model returned a value that is not a probability (NaN or infinity) for a window: no class may be
/// named from it, so the window fails instead. One line naming the file, the output and the window; an
/// <see cref="IOException"/> so command-line tools print it as is.
/// </summary>
public sealed class ModelOutputException(string message) : IOException(message);

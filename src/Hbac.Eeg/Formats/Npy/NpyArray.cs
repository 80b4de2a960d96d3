namespace Hbac.Eeg.Formats.Npy;

/// <summary>A float32 array read from a .npy file: C-order values and their shape, with the dtype and order the file stored.</summary>
public sealed record NpyArray(float[] Values, int[] Shape, string StoredDtype = "<f4", bool StoredFortranOrder = false);

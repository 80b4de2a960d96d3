using Hbac.Eeg.Randomness;

namespace Hbac.Learning.Training;

/// <summary>
/// Swaps the left and right halves of the montage in some samples of a batch: row r of a flipped
/// sample takes row <c>sourceRow[r]</c>, in every channel. Draws from its own random stream, so
/// runs that do not flip keep their other augmentation draws.
/// </summary>
public sealed class HemisphereFlip(int[] sourceRow, double probability, DeterministicRandom random)
{
    private float[] _plane = [];

    /// <summary>Flips each sample with the probability; returns how many were flipped.</summary>
    public int Apply(float[] inputs, int batch, int channels, int height, int width)
    {
        if (sourceRow.Length != height)
        {
            throw new ArgumentException($"the row map has {sourceRow.Length} rows, the inputs {height}");
        }
        var flipped = 0;
        var planeSize = height * width;
        if (_plane.Length < planeSize)
        {
            _plane = new float[planeSize];
        }
        for (var b = 0; b < batch; b++)
        {
            if (random.NextDouble() >= probability)
            {
                continue;
            }
            flipped++;
            for (var c = 0; c < channels; c++)
            {
                var plane = inputs.AsSpan((b * channels + c) * planeSize, planeSize);
                plane.CopyTo(_plane);
                for (var r = 0; r < height; r++)
                {
                    _plane.AsSpan(sourceRow[r] * width, width).CopyTo(plane.Slice(r * width, width));
                }
            }
        }
        return flipped;
    }
}

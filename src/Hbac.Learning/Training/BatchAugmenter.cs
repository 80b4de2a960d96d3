using Hbac.Eeg.Randomness;

namespace Hbac.Learning.Training;

/// <summary>
/// Augmentation settings: each transform is applied to a whole batch with <see cref="Probability"/>.
/// <see cref="HemisphereFlip"/> is the per-sample probability of swapping the left and right chains
/// (LL with RL, LP with RP), used by EEG-window runs only (the spectrogram runs keep the seed's recipe);
/// a lateralised pattern stays the same class on the other side.
/// </summary>
public sealed record AugmentationOptions(
    double Probability = 0.5,
    double MixUpAlpha = 2.0,
    double MaskMinFraction = 0.06,
    double MaskMaxFraction = 0.10,
    double HemisphereFlip = 0.5)
{
    public static readonly AugmentationOptions None = new(Probability: 0);
}

/// <summary>Which transforms one call of <see cref="BatchAugmenter.Apply"/> used.</summary>
public readonly record struct AppliedAugmentations(bool MixUp, bool TimeMask, bool FrequencyMask);

/// <summary>
/// The seed's batch augmentation on [B, C, H, W] inputs (H = 400 frequency rows, W = 300 time
/// columns): MixUp, then a time mask (every row, a band of 6-10 % of the columns), then a frequency
/// mask (every column, a band of 6-10 % of the rows), each drawn for the batch with probability 0.5.
/// The seed's comments called the two masks the other way round; they are named here by what they hide.
/// Masks write 0, the mean of the normalised input.
/// </summary>
public sealed class BatchAugmenter(AugmentationOptions options, DeterministicRandom random, HemisphereFlip? flip = null)
{
    // Reused copy of the batch for MixUp (a 64-window batch is 92 MB).
    private float[] _scratch = [];

    public AppliedAugmentations Apply(float[] inputs, float[] targets, int batch, int channels, int height, int width)
    {
        flip?.Apply(inputs, batch, channels, height, width);
        var mixUp = random.NextDouble() < options.Probability;
        if (mixUp)
        {
            MixUp(inputs, targets, batch);
        }
        var timeMask = random.NextDouble() < options.Probability;
        if (timeMask)
        {
            for (var b = 0; b < batch; b++)
            {
                var (start, length) = Band(width);
                MaskColumns(inputs.AsSpan(b * channels * height * width, channels * height * width), channels * height, width, start, length);
            }
        }
        var frequencyMask = random.NextDouble() < options.Probability;
        if (frequencyMask)
        {
            for (var b = 0; b < batch; b++)
            {
                var (start, length) = Band(height);
                MaskRows(inputs.AsSpan(b * channels * height * width, channels * height * width), channels, height, width, start, length);
            }
        }
        return new AppliedAugmentations(mixUp, timeMask, frequencyMask);
    }

    /// <summary>
    /// KerasCV MixUp: each sample i is blended with sample perm(i) of a random permutation, with its own
    /// lambda ~ Beta(alpha, alpha); targets are blended with the same lambda, so they still sum to 1.
    /// </summary>
    public void MixUp(float[] inputs, float[] targets, int batch)
    {
        var sampleSize = inputs.Length / batch;
        var classes = targets.Length / batch;
        var partner = new int[batch];
        for (var i = 0; i < batch; i++)
        {
            partner[i] = i;
        }
        random.Shuffle(partner.AsSpan());
        if (_scratch.Length != inputs.Length)
        {
            _scratch = new float[inputs.Length];
        }
        inputs.CopyTo(_scratch, 0);
        var originalInputs = _scratch;
        var originalTargets = (float[])targets.Clone();
        for (var i = 0; i < batch; i++)
        {
            var lambda = (float)SampleBeta(options.MixUpAlpha, options.MixUpAlpha);
            var other = partner[i];
            var x = inputs.AsSpan(i * sampleSize, sampleSize);
            var a = originalInputs.AsSpan(i * sampleSize, sampleSize);
            var b = originalInputs.AsSpan(other * sampleSize, sampleSize);
            for (var k = 0; k < sampleSize; k++)
            {
                x[k] = lambda * a[k] + (1 - lambda) * b[k];
            }
            for (var c = 0; c < classes; c++)
            {
                targets[i * classes + c] = lambda * originalTargets[i * classes + c] + (1 - lambda) * originalTargets[other * classes + c];
            }
        }
    }

    /// <summary>A band of round(U(min, max) x size) indices at a uniform position that fits.</summary>
    internal (int Start, int Length) Band(int size)
    {
        var fraction = options.MaskMinFraction + (options.MaskMaxFraction - options.MaskMinFraction) * random.NextDouble();
        var length = Math.Clamp((int)Math.Round(fraction * size), 1, size);
        var start = random.NextInt(size - length + 1);
        return (start, length);
    }

    /// <summary>Zeroes columns [start, start+length) of every row of a [rows, width] block.</summary>
    internal static void MaskColumns(Span<float> sample, int rows, int width, int start, int length)
    {
        for (var r = 0; r < rows; r++)
        {
            sample.Slice(r * width + start, length).Clear();
        }
    }

    /// <summary>Zeroes rows [start, start+length) of each channel of a [channels, height, width] block.</summary>
    internal static void MaskRows(Span<float> sample, int channels, int height, int width, int start, int length)
    {
        for (var c = 0; c < channels; c++)
        {
            sample.Slice((c * height + start) * width, length * width).Clear();
        }
    }

    internal double SampleBeta(double a, double b)
    {
        var x = SampleGamma(a);
        var y = SampleGamma(b);
        return x / (x + y);
    }

    // Marsaglia and Tsang (2000); shape < 1 via the boost Gamma(a) = Gamma(a + 1) * U^(1/a).
    private double SampleGamma(double shape)
    {
        if (shape < 1)
        {
            return SampleGamma(shape + 1) * Math.Pow(1 - random.NextDouble(), 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = random.NextGaussian();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1 - random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
            {
                return d * v;
            }
        }
    }
}

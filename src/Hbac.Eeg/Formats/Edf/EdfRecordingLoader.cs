using Hbac.Eeg.Montage;
using Hbac.Eeg.Resampling;

namespace Hbac.Eeg.Formats.Edf;

/// <summary>An EDF signal recognised as a montage channel.</summary>
public sealed record MappedElectrode(string Canonical, EdfSignal Signal);

/// <summary>
/// Turns an EDF/BDF file into an <see cref="EegRecording"/> in the Kaggle layout: the montage electrodes
/// (at least the 16 of the double-banana chains; plus EKG when a cardiac channel is present) in
/// <see cref="KaggleMontage.Columns"/> order, in microvolts, each resampled to 200 Hz with <see cref="Resampler"/>
/// (signals may differ in rate). A bipolar file's chains become the 16 chain electrodes (<see cref="BipolarChains"/>).
/// </summary>
public static class EdfRecordingLoader
{
    public static EegRecording Load(string path) => Load(EdfReader.Read(path));

    public static EegRecording Load(EdfFile file) => Load(file, Montage(file));

    /// <summary>Which of the file's signals fill which columns (<see cref="EdfMontage.Resolve"/>).</summary>
    public static EdfMontage Montage(EdfFile file) => EdfMontage.Resolve(file.Labels, file.SourceName);

    private static EegRecording Load(EdfFile file, EdfMontage montage)
    {
        float[] Resampled(int signal, int sign)
        {
            var samples = Resampler.Resample(file.Signals[signal].SamplesInMicrovolts(), file.Signals[signal].SampleRateHz, KaggleMontage.SampleRateHz);
            if (sign < 0)
            {
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = -samples[i];
                }
            }
            return samples;
        }
        var columns = new float[]?[KaggleMontage.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            if (montage.SignalOfColumn[c] >= 0)
            {
                columns[c] = Resampled(montage.SignalOfColumn[c], 1);
            }
        }
        var chains = montage.Chains?.Select(c => Resampled(c.Signal, c.Sign)).ToList() ?? [];
        // Channels at different source rates can round to lengths one sample apart; keep the common part.
        var length = columns.OfType<float[]>().Concat(chains).Min(s => s.Length);
        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c] is { } samples && samples.Length != length)
            {
                columns[c] = samples[..length];
            }
        }
        if (montage.Bipolar)
        {
            foreach (var electrode in KaggleMontage.ChainElectrodes)
            {
                columns[KaggleMontage.ColumnIndex(electrode)] = new float[length];
            }
            BipolarChains.ToElectrodes(chains, length, columns!, 0);
        }
        var present = Enumerable.Range(0, columns.Length).Where(c => columns[c] is not null).ToList();
        return new EegRecording([.. present.Select(c => KaggleMontage.Columns[c])], [.. present.Select(c => columns[c]!)], KaggleMontage.SampleRateHz);
    }

    /// <summary>
    /// The signals read as montage electrodes or EKG, in <see cref="KaggleMontage.Columns"/> order: a referential
    /// file's (labelled plainly, or against a common reference such as "Fp1-Cz"), else those whose labels name an
    /// electrode (a bipolar file's EKG; any of a file with too few). When two labels map to the same electrode, the
    /// first in the file wins.
    /// </summary>
    public static IReadOnlyList<MappedElectrode> MapElectrodes(EdfFile file)
    {
        var signalOfColumn = EdfMontage.TryResolve(file.Labels) is { Bipolar: false } referential
            ? referential.SignalOfColumn
            : EdfMontage.ElectrodeColumns(file.Labels);
        return [.. KaggleMontage.Columns.Select((c, i) => (c, i)).Where(x => signalOfColumn[x.i] >= 0).Select(x => new MappedElectrode(x.c, file.Signals[signalOfColumn[x.i]]))];
    }
}

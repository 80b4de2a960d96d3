using System.Globalization;
using System.Text.Json;
using Hbac.Eeg.Formats.Edf;
using Hbac.Eeg.Formats.Npy;

namespace Hbac.Cli.Tests.Interop;

/// <summary>
/// Our files in the hands of the tools users read them with, and theirs in ours: NumPy loads what <c>hbac convert</c>
/// writes (and re-saves the same bytes), every float array NumPy writes reads here in the right order, and MNE reads a
/// <c>hbac synth --recordings</c> EDF+ file with our samples, rate and annotations.
/// </summary>
public sealed class PythonInteropTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [PythonFact("numpy")]
    public void NumPyLoadsAConvertedSpectrogramAndResavesTheSameBytes()
    {
        var data = _dir.File("synthetic");
        Assert.Equal(0, HbacProcess.Run("synth", "--out", data, "--patients", "3").ExitCode);
        var parquet = Directory.EnumerateFiles(Path.Combine(data, "train_spectrograms"), "*.parquet").Order().First();
        var npy = _dir.File("s.npy");
        var convert = HbacProcess.Run("convert", parquet, "--out", npy);
        Assert.True(convert.ExitCode == 0, convert.Stderr);

        var output = Python.Run(Python.With("numpy")!, """
            import io, json, sys
            import numpy as np
            a = np.load(sys.argv[1])
            buffer = io.BytesIO()
            np.save(buffer, a)
            same = buffer.getvalue() == open(sys.argv[1], 'rb').read()
            print(json.dumps({'shape': a.shape, 'dtype': a.dtype.str, 'c': bool(a.flags['C_CONTIGUOUS']), 'nan': int(np.isnan(a).sum()),
                              'same_bytes': same, 'probe': [float(a[0, 0]), float(a[123, 45]), float(a[399, -1])]}))
            """, npy);

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var ours = NpyReader.Read(npy);
        Assert.Equal(ours.Shape, root.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(400, ours.Shape[0]);
        Assert.Equal("<f4", root.GetProperty("dtype").GetString());
        Assert.True(root.GetProperty("c").GetBoolean());
        Assert.Equal(0, root.GetProperty("nan").GetInt32());
        Assert.True(root.GetProperty("same_bytes").GetBoolean(), "np.save of the loaded array wrote other bytes");
        var columns = ours.Shape[1];
        Assert.Equal(
            [ours.Values[0], ours.Values[123 * columns + 45], ours.Values[399 * columns + columns - 1]],
            root.GetProperty("probe").EnumerateArray().Select(v => (float)v.GetDouble()));
    }

    [PythonFact("numpy")]
    public void EveryFloatArrayNumPyWritesIsReadInCOrder()
    {
        // One [400, 7] array with a NaN, saved in both byte orders, both precisions and both memory orders.
        Python.Run(Python.With("numpy")!, """
            import sys
            import numpy as np
            a = (np.arange(400 * 7, dtype=np.float64).reshape(400, 7) * 0.5 - 3)
            a[5, 3] = np.nan
            folder = sys.argv[1]
            for dtype in ['<f4', '>f4', '<f8', '>f8']:
                np.save(f'{folder}/c{dtype[0] == ">" and "b" or "l"}{dtype[-1]}.npy', a.astype(dtype))
                np.save(f'{folder}/f{dtype[0] == ">" and "b" or "l"}{dtype[-1]}.npy', np.asfortranarray(a.astype(dtype)))
            np.save(f'{folder}/t.npy', a.T.copy().T)
            """, _dir.Path);

        var files = Directory.EnumerateFiles(_dir.Path, "*.npy").Order().ToList();
        Assert.Equal(9, files.Count);
        foreach (var file in files)
        {
            var array = NpyReader.Read(file);
            var name = Path.GetFileNameWithoutExtension(file);
            Assert.Equal([400, 7], array.Shape);
            for (var i = 0; i < array.Values.Length; i++)
            {
                var expected = i == 5 * 7 + 3 ? float.NaN : (float)(i * 0.5 - 3);
                Assert.True(expected.Equals(array.Values[i]), $"{name}: value {i} is {array.Values[i]}, expected {expected}");
            }
            var described = HbacProcess.Run("inspect", file);
            Assert.True(described.ExitCode == 0, described.Stderr);
            using var json = JsonDocument.Parse(described.Stdout);
            Assert.Equal(name[0] is 'f' or 't', json.RootElement.GetProperty("fortran_order").GetBoolean());
            Assert.Equal(1, json.RootElement.GetProperty("nan_count").GetInt32());
            Assert.Equal(-3, json.RootElement.GetProperty("min").GetDouble());
        }
    }

    [PythonFact("mne")]
    public void MneReadsASynthesisedEdfPlusRecordingAsWeDo()
    {
        var synth = HbacProcess.Run("synth", "--recordings", "1", "--hours", "2", "--rate", "256", "--out", _dir.Path);
        Assert.True(synth.ExitCode == 0, synth.Stderr);
        var edf = _dir.File("long_001.edf");

        var output = Python.Run(Python.With("mne")!, """
            import json, sys
            import mne
            raw = mne.io.read_raw_edf(sys.argv[1], preload=False, verbose='error')
            head = raw.get_data(start=0, stop=1000) * 1e6
            print(json.dumps({'channels': raw.ch_names, 'rate': float(raw.info['sfreq']), 'samples': int(raw.n_times),
                              'annotations': [[float(a['onset']), float(a['duration']), str(a['description'])] for a in raw.annotations],
                              'head': head.tolist()}))
            """, edf);

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var ours = EdfReader.Read(edf);
        var signals = ours.Signals.Where(s => !s.Header.IsAnnotation).ToList();
        Assert.Equal(signals.Select(s => s.Label.Trim()), root.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(256, root.GetProperty("rate").GetDouble());
        Assert.Equal(signals[0].Samples.Length, root.GetProperty("samples").GetInt32());
        // MNE scales by the physical dimension (uV) to volts: back in microvolts the samples are ours to float precision.
        var head = root.GetProperty("head").EnumerateArray().ToList();
        for (var s = 0; s < signals.Count; s++)
        {
            var microvolts = signals[s].SamplesInMicrovolts();
            var theirs = head[s].EnumerateArray().Select(v => v.GetDouble()).ToList();
            for (var i = 0; i < theirs.Count; i++)
            {
                Assert.True(Math.Abs(theirs[i] - microvolts[i]) <= 1e-4 * Math.Max(1, Math.Abs(microvolts[i])),
                    $"{signals[s].Label} sample {i}: MNE {theirs[i]}, ours {microvolts[i]}");
            }
        }
        // The events of the truth file, as EDF+ annotations both readers agree on.
        var truth = File.ReadAllLines(_dir.File("long_001.truth.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var annotations = root.GetProperty("annotations").EnumerateArray().Select(a => a.EnumerateArray().ToArray()).ToList();
        Assert.NotEmpty(truth);
        Assert.Equal(truth.Count, annotations.Count);
        Assert.Equal(ours.Annotations.Select(a => (a.OnsetSeconds, a.DurationSeconds ?? 0, a.Text)),
            annotations.Select(a => (a[0].GetDouble(), a[1].GetDouble(), a[2].GetString()!)));
        Assert.Equal(truth.Select(t => (double.Parse(t[0], CultureInfo.InvariantCulture), t[2])), annotations.Select(a => (a[0].GetDouble(), a[2].GetString()!)));
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Hbac.Inference.Tests.Support;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>
/// Writes model versions into a running stack's repository the way the training service does
/// (temp folder, then one rename) and announces them on the Redis channel inference subscribes to.
/// </summary>
internal static class ModelFolder
{
    /// <summary>The spectrogram model pre-populated before a stack starts; every later name sorts after it.</summary>
    public const string FirstVersion = "20200101-000000-first";

    /// <summary>The EEG-window model pre-populated beside it (StreamEeg needs one).</summary>
    public const string FirstEegVersion = "20200101-000000-first-eeg";

    /// <summary>Both first versions: what a stack needs to answer Score and StreamEeg.</summary>
    public static void PublishFirst(string repository, bool peakPooled = false)
    {
        PublishValid(repository, FirstVersion, peakPooled: peakPooled);
        PublishValid(repository, FirstEegVersion, peakPooled: peakPooled, eeg: true);
    }

    /// <summary>A version name newer than every earlier one of this run (names sort by age).</summary>
    public static string NewVersion(string suffix)
    {
        Thread.Sleep(2); // distinct milliseconds
        return $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{suffix}";
    }

    /// <summary>
    /// A valid tiny model. Mean-pooled, it gives every (zero-mean) window the same answer, with
    /// <paramref name="favouredClass"/> on top; peak-pooled, its answer depends on the window.
    /// </summary>
    /// <param name="eeg">An EEG-window model (served to StreamEeg) instead of a spectrogram model (Score).</param>
    public static void PublishValid(string repository, string version, int favouredClass = 0, bool peakPooled = false, bool eeg = false)
    {
        var pooling = peakPooled ? "GlobalMaxPool" : "GlobalAveragePool";
        (eeg ? TinyOnnxModel.EegFavouring(favouredClass, pooling: pooling) : TinyOnnxModel.Favouring(favouredClass, pooling: pooling)).Publish(repository, version);
    }

    /// <summary>A version whose model.onnx is not an ONNX file at all.</summary>
    public static void PublishGarbage(string repository, string version) => PublishFiles(repository, version,
        Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not an onnx model ", 400))));

    /// <summary>A valid ONNX model that expects [N, 3, 200, 300] instead of [N, 3, 400, 300].</summary>
    public static void PublishWrongInputShape(string repository, string version)
    {
        var weights = new float[18];
        var model = new TinyOnnxModel(weights, new float[6], height: 200, width: 300);
        PublishFiles(repository, version, model.ToBytes());
    }

    /// <summary>PUBLISH on hbac:models:published, as the trainer does; returns the number of subscribers reached.</summary>
    public static async Task<long> AnnounceAsync(int redisPort, string version)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, redisPort);
        var stream = client.GetStream();
        var command = Resp("PUBLISH", "hbac:models:published", version);
        await stream.WriteAsync(command);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.True(reply.StartsWith(':'), $"PUBLISH answered '{reply.Trim()}'");
        return long.Parse(reply[1..].Trim());
    }

    private static void PublishFiles(string repository, string version, byte[] model)
    {
        var temp = Path.Combine(repository, "." + version + ".tmp");
        Directory.CreateDirectory(temp);
        File.WriteAllBytes(Path.Combine(temp, "model.onnx"), model);
        File.WriteAllText(Path.Combine(temp, "card.json"), """{ "model": "mobilenetv3", "created_utc": "2026-11-24T01:00:00+00:00" }""");
        Directory.Move(temp, Path.Combine(repository, version));
    }

    private static byte[] Resp(params string[] parts)
    {
        var text = new StringBuilder($"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            text.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}

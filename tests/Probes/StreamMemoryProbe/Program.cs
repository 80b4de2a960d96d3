using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;
using Hbac.Inference.Tests.Support;

// Usage: StreamMemoryProbe <inference|preprocessing> <service.dll> [--streams 1000] [--waves 3] [--seconds 10] [--idle 30] [-e Key=Value]...
// Starts the service as its own process on a free loopback port, then per wave opens N streams that
// each send `seconds` of 20-channel EEG and stay open, cancels them all, waits `idle` seconds, and
// prints the service's VmRSS (from /proc) at start, with the streams open and after each idle wait.
var kind = args[0];
var dll = Path.GetFullPath(args[1]);
int streams = 1000, waves = 3;
double seconds = 10, idle = 30;
var extra = new List<(string, string)>();
for (var i = 2; i < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--streams": streams = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--waves": waves = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--idle": idle = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "-e": var kv = args[i + 1].Split('=', 2); extra.Add((kv[0], kv[1])); break;
        default: throw new ArgumentException($"unknown argument {args[i]}");
    }
}

var home = Directory.CreateTempSubdirectory("hbac-stream-memory-").FullName;
var port = FreePort();
var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
start.Environment["ConnectionStrings__redis"] = $"127.0.0.1:{FreePort()}";
start.Environment["Hbac__DataRoot"] = home;
if (kind == "inference")
{
    var repository = Path.Combine(home, "models");
    Directory.CreateDirectory(repository);
    TinyOnnxModel.EegFavouring(2).Publish(repository, "e1");
    start.Environment["Hbac__ModelRepository"] = repository;
}
foreach (var (key, value) in extra)
{
    start.Environment[key] = value;
}
using var service = Process.Start(start)!;
service.OutputDataReceived += (_, _) => { };
service.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine($"service: {line}"); };
service.BeginOutputReadLine();
service.BeginErrorReadLine();
try
{
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
    {
        // Kestrel allows 100 streams per HTTP/2 connection: let the client open more connections.
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        MaxReceiveMessageSize = null,
    });
    await WaitServingAsync(channel);
    Console.WriteLine($"{kind}: pid {service.Id}, {streams} streams of {seconds} s per wave, {waves} waves, {idle} s idle after each");
    Console.WriteLine($"start: {Rss(service.Id)} MB");
    var samples = (int)(seconds * 200);
    var chunk = EegChunks.Split(Eeg(samples), samples, SampleLayout.Interleaved).Single();
    for (var wave = 1; wave <= waves; wave++)
    {
        using var cancel = new CancellationTokenSource();
        var refused = 0;
        var calls = await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
        {
            try
            {
                return await OpenAsync(channel, kind, chunk, cancel.Token);
            }
            catch (RpcException)
            {
                Interlocked.Increment(ref refused);
                return null;
            }
        }));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the service reads and buffers the last chunks
        var open = Rss(service.Id);
        cancel.Cancel();
        foreach (var call in calls)
        {
            call?.Dispose();
        }
        await Task.Delay(TimeSpan.FromSeconds(idle));
        Console.WriteLine($"wave {wave}: {streams - refused} open ({refused} refused): {open} MB; {idle} s after cancelling: {Rss(service.Id)} MB");
    }
}
finally
{
    service.Kill(); // our own child, by its PID
    await service.WaitForExitAsync();
    Directory.Delete(home, recursive: true);
}

static async Task<IDisposable> OpenAsync(GrpcChannel channel, string kind, EegChunk chunk, CancellationToken ct)
{
    if (kind == "inference")
    {
        var call = new Inference.InferenceClient(channel).StreamEeg(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk }, ct);
        return call;
    }
    var spectrogram = new Preprocessing.PreprocessingClient(channel).StreamSpectrogram(cancellationToken: ct);
    await spectrogram.RequestStream.WriteAsync(new StreamSpectrogramRequest { Chunk = chunk }, ct);
    // The reply of the completed columns shows the server has read the chunk (or the refusal, thrown here).
    await spectrogram.ResponseStream.MoveNext(ct);
    return spectrogram;
}

static float[][] Eeg(int length)
{
    var random = new Random(7);
    return Enumerable.Range(0, 20).Select(c => Enumerable.Range(0, length)
        .Select(s => (float)(30 * Math.Sin(2 * Math.PI * (3 + c % 7) * s / 200.0) + 10 * (random.NextDouble() - 0.5))).ToArray()).ToArray();
}

static async Task WaitServingAsync(GrpcChannel channel)
{
    var health = new Health.HealthClient(channel);
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                return;
            }
        }
        catch (RpcException) when (attempt < 60)
        {
        }
        await Task.Delay(500);
    }
}

static long Rss(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Client;
using Hbac.Contracts.Security;
using Hbac.Contracts.V1;

namespace Hbac.Cli.Services;

/// <summary>
/// The client side of the inference service for the CLI: one channel per command, and gRPC failures
/// turned into one line naming the server (an unreachable server, a refused request).
/// </summary>
internal static class InferenceServer
{
    /// <summary>The one place hbac opens a channel to a service: every call on it carries <paramref name="key"/>.</summary>
    public static GrpcChannel Connect(string url, ServiceKey key, GrpcChannelOptions? options = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException($"--server: '{url}' is not an http:// or https:// URL");
        }
        return ApiKeyChannel.ForAddress(uri, key.Value, options ?? new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
    }

    /// <summary>
    /// Runs <paramref name="body"/> against the server at <paramref name="url"/>, its calls cancelled by the watchdog's
    /// token when the server stays silent for <paramref name="timeout"/>; gRPC errors and the silence become one line.
    /// </summary>
    public static async Task<int> RunAsync(string url, ServiceKey key, TimeSpan timeout, Func<Inference.InferenceClient, ReplyWatchdog, Task<int>> body,
        CancellationToken cancellationToken)
    {
        using var channel = Connect(url, key);
        using var watchdog = new ReplyWatchdog(timeout, cancellationToken);
        return await OneLineAsync(url, key, () => body(new Inference.InferenceClient(channel), watchdog), cancellationToken, watchdog);
    }

    /// <summary>
    /// The stream client (Hbac.Client) for <paramref name="url"/>: a connection per stream, deadlines, resume.
    /// <paramref name="balancing"/> round-robin also takes a dns:///host:port address.
    /// </summary>
    public static EegStreamClient StreamClient(string url, ServiceKey key, StreamBalancing balancing = StreamBalancing.Connection, bool resume = true,
        TimeSpan? replyTimeout = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "dns") || (uri.Scheme == "dns" && balancing != StreamBalancing.RoundRobin))
        {
            throw new CliUsageException(balancing == StreamBalancing.RoundRobin
                ? $"--server: '{url}' is not an http:// or dns:/// address"
                : $"--server: '{url}' is not an http:// or https:// URL");
        }
        var options = new EegStreamClientOptions { Address = uri, ApiKey = key.Value, Balancing = balancing, Resume = resume };
        try
        {
            return new EegStreamClient(replyTimeout is { } timeout ? options with { ReplyTimeout = timeout } : options);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"--server: {e.Message}");
        }
    }

    /// <summary>Runs <paramref name="body"/> with a stream client for <paramref name="url"/>; gRPC errors become one line.</summary>
    public static async Task<int> RunStreamsAsync(string url, ServiceKey key, StreamBalancing balancing, Func<EegStreamClient, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        using var client = StreamClient(url, key, balancing);
        return await OneLineAsync(url, key, () => body(client, cancellationToken), cancellationToken);
    }

    private static async Task<int> OneLineAsync(string url, ServiceKey key, Func<Task<int>> body, CancellationToken cancellationToken,
        ReplyWatchdog? watchdog = null)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (watchdog is { Fired: true } && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            throw new CliUsageException($"{url}: {watchdog.Describe()}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            throw new CliUsageException($"{url}: inference server unreachable ({FirstLine(e.Status.Detail)})");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            throw new CliUsageException($"{url}: {e.StatusCode}: {FirstLine(e.Status.Detail)} {key.Describe()}");
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw new CliUsageException($"{url}: {e.StatusCode}: {FirstLine(e.Status.Detail)}");
        }
    }

    /// <summary>"Seizure  seizure=0.412 lpd=0.103 ..." for one distribution.</summary>
    /// <param name="topClass">The reply's top class, when it has one; unspecified (a segment not scored) prints as "-".</param>
    public static string Describe(ClassProbabilities probabilities, EegClass? topClass = null)
    {
        var values = probabilities.ToArray();
        var names = new[] { "seizure", "lpd", "gpd", "lrda", "grda", "other" };
        var parts = names.Select((name, i) => $"{name}={values[i].ToString("0.000", CultureInfo.InvariantCulture)}");
        var top = topClass ?? probabilities.TopClass();
        return $"{(top == EegClass.Unspecified ? "-" : ClassName(top)),-7} {string.Join(' ', parts)}";
    }

    public static string ClassName(EegClass value) => value switch
    {
        EegClass.Seizure => "Seizure",
        EegClass.Lpd => "LPD",
        EegClass.Gpd => "GPD",
        EegClass.Lrda => "LRDA",
        EegClass.Grda => "GRDA",
        EegClass.Other => "Other",
        _ => "?",
    };

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

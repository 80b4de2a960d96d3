using System.CommandLine;
using System.Globalization;

namespace Hbac.Cli.Services;

/// <summary>
/// How long hbac waits for the inference service: a server that accepts the connection and then says nothing
/// (hung, overloaded, a proxy without a backend) would otherwise hold the command forever. For a unary call it
/// is a deadline; for a stream of replies (ScoreRecording) it limits the silence between two replies, since a
/// day-long recording may rightly take minutes (<see cref="Kick"/> on every reply).
/// </summary>
internal sealed class ReplyWatchdog : IDisposable
{
    public const string OptionName = "--timeout";
    public const double DefaultSeconds = 60;

    private readonly CancellationTokenSource _silence;
    private readonly CancellationToken _outer;

    public ReplyWatchdog(TimeSpan timeout, CancellationToken outer)
    {
        Timeout = timeout;
        _outer = outer;
        _silence = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _silence.CancelAfter(timeout);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Cancelled by the caller or by the server's silence.</summary>
    public CancellationToken Token => _silence.Token;

    /// <summary>True when the silence, not the caller, cancelled the call.</summary>
    public bool Fired => _silence.IsCancellationRequested && !_outer.IsCancellationRequested;

    /// <summary>A reply arrived: the silence is measured from now.</summary>
    public void Kick() => _silence.CancelAfter(Timeout);

    public string Describe() => $"no reply within {Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s ({OptionName})";

    public void Dispose() => _silence.Dispose();

    public static void AddOption(Command command) => command.Options.Add(new Option<double>(OptionName)
    {
        Description = "Seconds to wait for the server's answer (for a streamed report: between two replies)",
        DefaultValueFactory = _ => DefaultSeconds,
    });

    public static TimeSpan Resolve(ParseResult parseResult)
    {
        var seconds = parseResult.GetValue<double>(OptionName);
        return double.IsFinite(seconds) && seconds is > 0 and <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliUsageException($"{OptionName}: must be a number of seconds in (0, 86400] (got {seconds.ToString(CultureInfo.InvariantCulture)})");
    }
}

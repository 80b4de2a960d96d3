using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;

namespace Hbac.Client.Streaming;

/// <summary>
/// One EEG stream to Inference.StreamEeg that survives the loss of its replica. Send chunks with
/// <see cref="SendAsync"/>, end with <see cref="CompleteAsync"/>, and read replies with
/// <see cref="ReadAllAsync"/> (concurrently).
/// <para>
/// No call hangs: a connection must open within the connect timeout, and once the server has had the
/// signal for a reply (50 s in, then every 2 s), or a write has waited, a reply must come within
/// the reply timeout; otherwise the call counts as Unavailable. HTTP/2 keep-alive pings catch a silent
/// connection in between.
/// </para>
/// <para>
/// When a call fails with Unavailable (or the server abandons it, or the watchdog gives up on it), the
/// stream reconnects through the same address, on a new connection (in connection mode a proxy then picks
/// a replica again), and re-sends the signal it kept: the chunks from the start of the oldest window not
/// yet answered, at most <see cref="EegStreamClientOptions.MaxKeptSeconds"/> back. The first message
/// carries first_sample_index, so the new replica's replies keep the stream's own clock and 2-s grid, and
/// the first window it can form answers at once. Replies already delivered are dropped, so the caller
/// sees each segment once, in order.
/// </para>
/// <para>
/// What a resume loses: at most the replies in flight whose windows start before the kept signal, i.e.
/// none while the oldest unanswered window is within <see cref="EegStreamClientOptions.MaxKeptSeconds"/>
/// of the newest sample (a real-time stream has one or two windows in flight), and otherwise the windows
/// older than that; plus the time the reconnect takes (replies come late, not missing).
/// <see cref="RepliesLost"/> counts the segments never delivered. With no replica answering the stream ends
/// with Unavailable once <see cref="EegStreamClientOptions.MaxResumes"/> attempts or
/// <see cref="EegStreamClientOptions.ResumeDeadline"/> are used up.
/// </para>
/// </summary>
public sealed class ResilientEegStream : IAsyncDisposable
{
    private readonly EegStreamClient _client;
    private readonly EegStreamClientOptions _options;
    private readonly CancellationTokenSource _life;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _state = new();
    private readonly KeptSignal _kept = new();
    private readonly Channel<StreamEegResponse> _replies = Channel.CreateUnbounded<StreamEegResponse>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Task _watchdog;
    private Attempt _current;
    private long? _lastDeliveredEnd;
    private long _replyDueSince;
    private long _writeSince;
    private long _outageSince;
    private int _attemptsSinceReply;
    private bool _sendingDone;
    private Exception? _fatal;

    internal ResilientEegStream(EegStreamClient client, CancellationToken cancellationToken)
    {
        _client = client;
        _options = client.Options;
        _life = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _current = StartAttempt(firstSample: 0);
        StartPump(_current);
        _watchdog = WatchAsync();
    }

    /// <summary>Reconnects after a failed call, successful or not.</summary>
    public int Resumes { get; private set; }

    /// <summary>Segments never delivered: windows skipped over by a resume (and, at the end, windows sent but never answered).</summary>
    public int RepliesLost { get; private set; }

    /// <summary>Replies delivered to the caller (each segment once).</summary>
    public int Delivered { get; private set; }

    /// <summary>Replies dropped because their segment was already delivered (re-scored after a resume).</summary>
    public int DuplicatesDropped { get; private set; }

    /// <summary>Samples per channel sent since the stream began.</summary>
    public long SamplesSent
    {
        get
        {
            lock (_state)
            {
                return _kept.Sent;
            }
        }
    }

    /// <summary>Raised after each reconnect whose kept signal went out (on a pool thread), for callers that report resumes as they happen.</summary>
    public event Action<StreamResume>? Resumed;

    /// <summary>
    /// Sends one chunk (any size, either layout). Returns once the current call took it; when that call
    /// has failed, once the stream has resumed (the chunk is re-sent with the kept signal). Throws the
    /// stream's failure (an RpcException) when it cannot go on.
    /// </summary>
    public async Task SendAsync(EegChunk chunk, CancellationToken cancellationToken = default)
    {
        var samples = EegChunkSamples.Count(chunk);
        Attempt attempt;
        bool written;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfFatal();
            if (_sendingDone)
            {
                throw new InvalidOperationException("the stream was completed; no more chunks can be sent");
            }
            lock (_state)
            {
                _kept.Add(chunk, samples);
                // Trimmed on every chunk, not only on replies: a replica that stops answering must not make
                // the stream keep (and re-send) more than MaxKeptSeconds, however long the stall.
                TrimKept();
            }
            attempt = _current;
            written = await TryWriteAsync(attempt, chunk);
        }
        finally
        {
            _gate.Release();
        }
        if (!written)
        {
            // The call failed; its reader owns the recovery, which re-sends this chunk with the kept signal.
            await attempt.Handled.Task.WaitAsync(cancellationToken);
            ThrowIfFatal();
        }
    }

    /// <summary>Tells the server no more signal comes; the replies still due arrive, then <see cref="ReadAllAsync"/> ends.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        Attempt attempt;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfFatal();
            _sendingDone = true;
            attempt = _current;
            try
            {
                await attempt.Call.RequestStream.CompleteAsync();
                return;
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException)
            {
                // The call failed: the recovery completes the next one.
            }
        }
        finally
        {
            _gate.Release();
        }
        await attempt.Handled.Task.WaitAsync(cancellationToken);
        ThrowIfFatal();
    }

    /// <summary>The replies, each segment once and in order; ends when the server has answered everything after <see cref="CompleteAsync"/>, or throws the stream's failure.</summary>
    public IAsyncEnumerable<StreamEegResponse> ReadAllAsync(CancellationToken cancellationToken = default) => _replies.Reader.ReadAllAsync(cancellationToken);

    private Attempt StartAttempt(long firstSample)
    {
        var (client, owned) = _client.StreamChannel();
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
        return new Attempt(client.StreamEeg(cancellationToken: cts.Token), owned, cts, firstSample);
    }

    // False when the call has failed (the caller waits for the recovery).
    private async Task<bool> TryWriteAsync(Attempt attempt, EegChunk chunk)
    {
        var request = new StreamEegRequest { Chunk = chunk };
        if (!attempt.Started)
        {
            request.FirstSampleIndex = attempt.FirstSample;
            attempt.Started = true;
        }
        Volatile.Write(ref _writeSince, Stopwatch.GetTimestamp());
        try
        {
            await attempt.Call.RequestStream.WriteAsync(request, attempt.Cancellation.Token);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException or IOException)
        {
            return false;
        }
        finally
        {
            Volatile.Write(ref _writeSince, 0);
        }
        lock (_state)
        {
            if (_replyDueSince == 0 && _kept.Sent >= NextExpectedEnd())
            {
                _replyDueSince = Stopwatch.GetTimestamp();
            }
        }
        return true;
    }

    private void StartPump(Attempt attempt) => _ = Task.Run(() => PumpAsync(attempt));

    private async Task PumpAsync(Attempt attempt)
    {
        Status failure;
        try
        {
            while (await attempt.Call.ResponseStream.MoveNext(attempt.Cancellation.Token))
            {
                Deliver(attempt.Call.ResponseStream.Current);
            }
            if (Volatile.Read(ref _sendingDone))
            {
                Finish();
                attempt.Handled.TrySetResult();
                return;
            }
            failure = new Status(StatusCode.Unavailable, "the server ended the stream before the client did");
        }
        catch (RpcException e)
        {
            failure = attempt.WatchdogFailure ?? e.Status;
        }
        catch (OperationCanceledException)
        {
            failure = attempt.WatchdogFailure ?? new Status(StatusCode.Cancelled, "the stream was cancelled");
        }
        await RecoverAsync(attempt, failure);
    }

    private void Deliver(StreamEegResponse reply)
    {
        var end = (long)Math.Round(reply.WindowEndSeconds * EegStream.SampleRateHz);
        lock (_state)
        {
            if (_lastDeliveredEnd is { } last && end <= last)
            {
                DuplicatesDropped++;
                return;
            }
            var expected = NextExpectedEnd();
            if (end > expected)
            {
                RepliesLost += (int)((end - expected) / EegStream.ReplyEverySamples);
            }
            _lastDeliveredEnd = end;
            Delivered++;
            _attemptsSinceReply = 0;
            _outageSince = 0;
            _replyDueSince = _kept.Sent >= NextExpectedEnd() ? Stopwatch.GetTimestamp() : 0;
            TrimKept();
        }
        _replies.Writer.TryWrite(reply);
    }

    // Under _state.
    private void TrimKept() => _kept.Trim(KeptSignal.KeepFrom(_kept.Sent, _lastDeliveredEnd, _options.MaxKeptSeconds * EegStream.SampleRateHz));

    // The end of the next window an unbroken stream would answer.
    private long NextExpectedEnd() => (_lastDeliveredEnd ?? EegStream.ScoredWindowSamples - EegStream.ReplyEverySamples) + EegStream.ReplyEverySamples;

    // The server answered everything it will: windows sent but never answered count as lost.
    private void Finish()
    {
        lock (_state)
        {
            var sent = _kept.Sent;
            if (sent >= EegStream.ScoredWindowSamples)
            {
                var lastEnd = EegStream.ScoredWindowSamples + (sent - EegStream.ScoredWindowSamples) / EegStream.ReplyEverySamples * EegStream.ReplyEverySamples;
                var expected = NextExpectedEnd();
                if (lastEnd >= expected)
                {
                    RepliesLost += (int)((lastEnd - expected) / EegStream.ReplyEverySamples) + 1;
                }
            }
        }
        _replies.Writer.TryComplete();
    }

    private async Task RecoverAsync(Attempt failed, Status failure)
    {
        // Unblocks a write waiting on the failed call, so the gate comes free.
        await failed.Cancellation.CancelAsync();
        await _gate.WaitAsync();
        StreamResume? resumed;
        try
        {
            resumed = await ReconnectAsync(failed, failure);
        }
        finally
        {
            _gate.Release();
            failed.Handled.TrySetResult();
        }
        // Outside the gate, so a handler may use the stream.
        if (resumed is not null)
        {
            Resumed?.Invoke(resumed);
        }
    }

    // Under the gate: a new call with the kept signal re-sent (its resume, for the event), or null when the
    // failure ends the stream (or another path already replaced the failed call).
    private async Task<StreamResume?> ReconnectAsync(Attempt failed, Status failure)
    {
        failed.Dispose();
        if (!ReferenceEquals(failed, _current))
        {
            return null;
        }
        while (true)
        {
            if (!Resumable(failure))
            {
                Fail(new RpcException(failure));
                return null;
            }
            int attempt;
            TimeSpan outage;
            lock (_state)
            {
                if (_outageSince == 0)
                {
                    _outageSince = Stopwatch.GetTimestamp();
                }
                attempt = ++_attemptsSinceReply;
                outage = Stopwatch.GetElapsedTime(_outageSince);
            }
            if (attempt > _options.MaxResumes || outage > _options.ResumeDeadline)
            {
                Fail(new RpcException(new Status(StatusCode.Unavailable, string.Create(CultureInfo.InvariantCulture,
                    $"{_options.Address}: no inference replica answered after {attempt - 1} reconnects in {outage.TotalSeconds:0.0} s (last failure: {failure.StatusCode}: {failure.Detail})"))));
                return null;
            }
            try
            {
                // 0.1, 0.2, 0.4 ... s, at most 2 s: a replica restarting behind the proxy gets time to come up.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(attempt - 1, 5))), _life.Token);
            }
            catch (OperationCanceledException)
            {
                Fail(new RpcException(new Status(StatusCode.Cancelled, "the stream was cancelled while reconnecting")));
                return null;
            }
            long firstSample;
            IReadOnlyList<EegChunk> resend;
            double? lastDeliveredSeconds;
            lock (_state)
            {
                firstSample = _kept.FirstKept;
                resend = _kept.Chunks();
                lastDeliveredSeconds = _lastDeliveredEnd / (double?)EegStream.SampleRateHz;
            }
            var next = StartAttempt(firstSample);
            _current = next;
            Resumes++;
            var resent = await ResendAsync(next, resend);
            if (resent)
            {
                StartPump(next);
                return new StreamResume(attempt, failure, firstSample,
                    resend.Sum(c => EegChunkSamples.Count(c)) / (double)EegStream.SampleRateHz, lastDeliveredSeconds);
            }
            failure = next.WatchdogFailure ?? await StatusOfAsync(next);
            next.Dispose();
        }
    }

    private async Task<bool> ResendAsync(Attempt attempt, IReadOnlyList<EegChunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            if (!await TryWriteAsync(attempt, chunk))
            {
                return false;
            }
        }
        lock (_state)
        {
            _replyDueSince = _kept.Sent >= NextExpectedEnd() ? Stopwatch.GetTimestamp() : 0;
        }
        if (_sendingDone)
        {
            try
            {
                await attempt.Call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException)
            {
                return false;
            }
        }
        return true;
    }

    // Why a call whose write failed ended: its status once it has one (bounded by the reply timeout).
    private async Task<Status> StatusOfAsync(Attempt attempt)
    {
        try
        {
            using var wait = new CancellationTokenSource(_options.ReplyTimeout);
            await attempt.Call.ResponseHeadersAsync.WaitAsync(wait.Token);
            return attempt.Call.GetStatus();
        }
        catch (RpcException e)
        {
            return e.Status;
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
        {
            return new Status(StatusCode.Unavailable, "the call failed while the kept signal was re-sent");
        }
    }

    // Unavailable: the replica is gone. Cancelled by the server (not by the caller): a replica shutting down
    // abandons its calls. The watchdog's own verdict is Unavailable.
    private bool Resumable(Status status) =>
        _options.Resume && !_life.IsCancellationRequested && status.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled;

    private void Fail(Exception error)
    {
        _fatal ??= error;
        _replies.Writer.TryComplete(_fatal);
    }

    private void ThrowIfFatal()
    {
        if (_fatal is not null)
        {
            throw _fatal;
        }
        _life.Token.ThrowIfCancellationRequested();
    }

    // Gives up on a call that owes a reply, or holds a write, for longer than the reply timeout.
    private async Task WatchAsync()
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, _options.ReplyTimeout.Ticks / 5));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_life.Token))
            {
                long due;
                lock (_state)
                {
                    due = _replyDueSince;
                }
                var write = Volatile.Read(ref _writeSince);
                var attempt = _current;
                string? why = null;
                if (due != 0 && Stopwatch.GetElapsedTime(due) > _options.ReplyTimeout)
                {
                    why = "no reply";
                }
                else if (write != 0 && Stopwatch.GetElapsedTime(write) > _options.ReplyTimeout)
                {
                    why = "a write not taken";
                }
                if (why is not null && attempt.WatchdogFailure is null)
                {
                    attempt.WatchdogFailure = new Status(StatusCode.Unavailable, string.Create(CultureInfo.InvariantCulture,
                        $"{_options.Address}: {why} within {_options.ReplyTimeout.TotalSeconds:0.###} s; the replica is gone or hung"));
                    lock (_state)
                    {
                        _replyDueSince = 0;
                    }
                    await attempt.Cancellation.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The stream ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync();
        try
        {
            await _watchdog;
        }
        catch (OperationCanceledException)
        {
        }
        await _gate.WaitAsync();
        try
        {
            _current.Dispose();
            _replies.Writer.TryComplete(_fatal);
        }
        finally
        {
            _gate.Release();
        }
        _life.Dispose();
    }

    private sealed class Attempt(AsyncDuplexStreamingCall<StreamEegRequest, StreamEegResponse> call, GrpcChannel? owned, CancellationTokenSource cancellation, long firstSample)
    {
        private int _disposed;

        public AsyncDuplexStreamingCall<StreamEegRequest, StreamEegResponse> Call { get; } = call;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        /// <summary>Where the call's first sample lies in the stream (sent on its first message).</summary>
        public long FirstSample { get; } = firstSample;

        public bool Started { get; set; }

        /// <summary>Set when the watchdog gave up on the call: the status its failure counts as.</summary>
        public Status? WatchdogFailure { get; set; }

        /// <summary>Done once the call's end is handled: the stream resumed on a new call, finished, or failed.</summary>
        public TaskCompletionSource Handled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Cancellation.Cancel();
                Call.Dispose();
                owned?.Dispose();
            }
        }
    }
}

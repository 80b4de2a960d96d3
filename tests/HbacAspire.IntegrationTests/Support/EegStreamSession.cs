using System.Threading.Channels;
using Grpc.Core;
using Hbac.Contracts;
using Hbac.Contracts.Streaming;
using Hbac.Contracts.V1;

namespace HbacAspire.IntegrationTests.Support;

/// <summary>
/// One Inference.StreamEeg call driven in lock step: 1-s chunks go out one at a time and after every
/// chunk that completes an even second >= 10 the test waits for that second's reply - so each reply is
/// shown to come as the signal arrives (not at the end), in order, with nothing skipped or extra.
/// </summary>
internal sealed class EegStreamSession : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly AsyncDuplexStreamingCall<StreamEegRequest, StreamEegResponse> _call;
    private readonly Channel<StreamEegResponse> _replies = Channel.CreateUnbounded<StreamEegResponse>();
    private readonly Task _reader;
    private readonly List<EegChunk> _chunks;
    private int _sent;

    public EegStreamSession(Inference.InferenceClient client, float[][]? channels = null)
    {
        _chunks = channels is null ? [] : EegChunks.Split(channels, EegStream.SampleRateHz, SampleLayout.Interleaved).ToList();
        _call = client.StreamEeg();
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var reply in _call.ResponseStream.ReadAllAsync())
                {
                    await _replies.Writer.WriteAsync(reply);
                }
                _replies.Writer.Complete();
            }
            catch (Exception e)
            {
                _replies.Writer.Complete(e);
            }
        });
    }

    /// <summary>Every reply received so far, in order.</summary>
    public List<StreamEegResponse> Replies { get; } = [];

    /// <summary>Seconds of signal sent.</summary>
    public int SecondsSent => _sent;

    public int SecondsAvailable => _chunks.Count;

    /// <summary>Sends the next <paramref name="seconds"/> seconds, awaiting the reply due after each even second >= 10.</summary>
    public async Task SendAsync(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            await _call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = _chunks[_sent] });
            _sent++;
            if (_sent >= EegStream.ScoredWindowSeconds && _sent % EegStream.ReplyEverySeconds == 0)
            {
                var reply = await NextReplyAsync($"the reply after {_sent} s of signal");
                Assert.True(reply.WindowEndSeconds == _sent,
                    $"after {_sent} s of signal the reply ends at {reply.WindowEndSeconds} s (replies so far: {string.Join(", ", Replies.Select(r => r.WindowEndSeconds))})");
            }
        }
    }

    /// <summary>Closes the sending side and checks the stream ends cleanly with no further reply.</summary>
    public async Task CompleteAsync()
    {
        await _call.RequestStream.CompleteAsync();
        var extra = new List<StreamEegResponse>();
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        await foreach (var reply in _replies.Reader.ReadAllAsync(timeout.Token))
        {
            extra.Add(reply);
        }
        await _reader;
        Assert.True(extra.Count == 0, $"replies after the last chunk: {string.Join(", ", extra.Select(r => r.WindowEndSeconds))}");
        Assert.Equal(StatusCode.OK, _call.GetStatus().StatusCode);
    }

    /// <summary>
    /// Sends <paramref name="chunks"/> as given (e.g. bad ones) and returns the status the server ended
    /// the call with; a write the closed call refuses is not an error here, the final status is the answer.
    /// </summary>
    public async Task<RpcException> RefusedAsync(params EegChunk[] chunks)
    {
        try
        {
            foreach (var chunk in chunks)
            {
                await _call.RequestStream.WriteAsync(new StreamEegRequest { Chunk = chunk });
            }
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The server already ended the call.
        }
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        var exception = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in _replies.Reader.ReadAllAsync(timeout.Token))
            {
                Replies.Add(reply);
            }
        });
        return exception;
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // Cancelled by the dispose.
        }
    }

    private async Task<StreamEegResponse> NextReplyAsync(string what)
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        try
        {
            var reply = await _replies.Reader.ReadAsync(timeout.Token);
            Replies.Add(reply);
            return reply;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {what} within {ReplyTimeout.TotalSeconds} s");
        }
        catch (ChannelClosedException closed)
        {
            throw new InvalidOperationException($"the stream ended before {what}: {closed.InnerException?.Message ?? "no error"}", closed.InnerException);
        }
    }
}

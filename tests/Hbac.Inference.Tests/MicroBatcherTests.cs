using System.Diagnostics.Metrics;
using Hbac.Contracts;
using Hbac.Eeg.Windows;
using Hbac.Inference.Models;
using Hbac.Inference.Scoring;
using Hbac.Inference.Tests.Support;
using Hbac.Learning.Training;
using Hbac.Onnx;
using Microsoft.Extensions.DependencyInjection;

namespace Hbac.Inference.Tests;

public sealed class MicroBatcherTests
{
    /// <summary>Answers each window with a distribution that encodes the window's first value; records batch sizes.</summary>
    private sealed class EchoScorer : IBatchScorer
    {
        public List<int> BatchSizes { get; } = [];

        public List<ModelInputKind> BatchKinds { get; } = [];

        public List<InputPooling> BatchPoolings { get; } = [];

        /// <summary>Each batch's window ids (their first values), in batch order.</summary>
        public List<float[]> BatchIds { get; } = [];

        public IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n, InputPooling pooling)
        {
            lock (BatchSizes)
            {
                BatchSizes.Add(n);
                BatchKinds.Add(kind);
                BatchPoolings.Add(pooling);
                BatchIds.Add([.. Enumerable.Range(0, n).Select(i => windows.Span[i * 360_000])]);
            }
            var results = new ScoredWindow[n];
            for (var i = 0; i < n; i++)
            {
                var id = windows.Span[i * 360_000];
                results[i] = new ScoredWindow([id, 0, 0, 0, 0, 0], $"{kind.Name()}-batch-of-{n}", "CPU", "int8");
            }
            return results;
        }
    }

    private sealed class FailingScorer : IBatchScorer
    {
        public IReadOnlyList<ScoredWindow> ScoreBatch(ModelInputKind kind, ReadOnlyMemory<float> windows, int n, InputPooling pooling) => throw new NoModelLoadedException(kind);
    }

    [Fact]
    public async Task ConcurrentRequestsFormOneFullBatchAndEachCallerGetsItsOwnRow()
    {
        var scorer = new EchoScorer();
        // A long delay: the batch can only run early by filling up.
        await using var batcher = new MicroBatcher(scorer, maxBatch: 8, maxDelay: TimeSpan.FromSeconds(30));

        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(() => batcher.ScoreAsync(Inputs.Constant(i, 0, 0)))).ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.Equal([8], scorer.BatchSizes);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(i, results[i].Probabilities[0]);
            Assert.Equal("spectrogram-batch-of-8", results[i].ModelVersion);
        }
    }

    [Fact]
    public async Task WindowsOfTheTwoInputKindsNeverShareABatch()
    {
        var scorer = new EchoScorer();
        await using var batcher = new MicroBatcher(scorer, maxBatch: 8, maxDelay: TimeSpan.FromMilliseconds(200));

        // Queued in one burst, alternating kinds: each kind's windows go to its own model, in batches of their own.
        var tasks = Enumerable.Range(0, 8)
            .Select(i => batcher.ScoreAsync(i % 2 == 0 ? ModelInputKind.Spectrogram : ModelInputKind.Eeg, Inputs.Constant(i, 0, 0)))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(i, results[i].Probabilities[0]);
            Assert.StartsWith(i % 2 == 0 ? "spectrogram-batch-of-" : "eeg-batch-of-", results[i].ModelVersion);
        }
        Assert.Equal(8, scorer.BatchSizes.Sum());
        Assert.Contains(ModelInputKind.Eeg, scorer.BatchKinds);
        Assert.Contains(ModelInputKind.Spectrogram, scorer.BatchKinds);
    }

    [Fact]
    public async Task WindowsFormedForOtherInputPoolsNeverShareABatch()
    {
        var scorer = new EchoScorer();
        await using var batcher = new MicroBatcher(scorer, maxBatch: 8, maxDelay: TimeSpan.FromMilliseconds(200));
        // 1 x 2 and 2 x 1 give windows of one length: only the pool they were formed with tells them apart.
        InputPooling[] poolings = [new(1, 2), new(2, 1)];

        var tasks = Enumerable.Range(0, 8)
            .Select(i => batcher.ScoreAsync(ModelInputKind.Eeg, Inputs.Constant(i, 0, 0), poolings[i % 2]))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)i), results.Select(r => r.Probabilities[0]));
        Assert.Equal(8, scorer.BatchSizes.Sum());
        // Each batch holds windows of one pool and reached the scorer with it, so a model that pools otherwise can refuse it.
        Assert.All(scorer.BatchPoolings.Zip(scorer.BatchIds), batch =>
            Assert.All(batch.Second, id => Assert.Equal(poolings[(int)id % 2], batch.First)));
        Assert.Contains(poolings[0], scorer.BatchPoolings);
        Assert.Contains(poolings[1], scorer.BatchPoolings);
    }

    [Fact]
    public async Task MoreRequestsThanMaxBatchAreSplitIntoBatchesOfAtMostMaxBatch()
    {
        var scorer = new EchoScorer();
        await using var batcher = new MicroBatcher(scorer, maxBatch: 4, maxDelay: TimeSpan.FromMilliseconds(20));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => batcher.ScoreAsync(Inputs.Constant(i, 0, 0))));

        Assert.Equal(10, scorer.BatchSizes.Sum());
        Assert.All(scorer.BatchSizes, size => Assert.InRange(size, 1, 4));
        Assert.True(scorer.BatchSizes.Count >= 3);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), results.Select(r => r.Probabilities[0]));
    }

    [Fact]
    public async Task ALoneRequestRunsAfterTheDelayAsABatchOfOne()
    {
        var scorer = new EchoScorer();
        await using var batcher = new MicroBatcher(scorer, maxBatch: 16, maxDelay: TimeSpan.FromMilliseconds(5));

        var result = await batcher.ScoreAsync(Inputs.Constant(3, 0, 0));

        Assert.Equal(3, result.Probabilities[0]);
        Assert.Equal([1], scorer.BatchSizes);
    }

    [Fact]
    public async Task ABatchFailureReachesEveryCallerInIt()
    {
        await using var batcher = new MicroBatcher(new FailingScorer(), maxBatch: 4, maxDelay: TimeSpan.FromSeconds(30));

        var tasks = Enumerable.Range(0, 4).Select(i => batcher.ScoreAsync(Inputs.Constant(i, 0, 0))).ToArray();

        foreach (var task in tasks)
        {
            await Assert.ThrowsAsync<NoModelLoadedException>(() => task);
        }
    }

    [Fact]
    public async Task ACancelledRequestIsNotScored()
    {
        var scorer = new EchoScorer();
        await using var batcher = new MicroBatcher(scorer, maxBatch: 2, maxDelay: TimeSpan.FromSeconds(30));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var dropped = batcher.ScoreAsync(Inputs.Constant(1, 0, 0), cancelled.Token);
        var kept = Task.WhenAll(batcher.ScoreAsync(Inputs.Constant(2, 0, 0)), batcher.ScoreAsync(Inputs.Constant(3, 0, 0)));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        var results = await kept;
        Assert.Equal([2f, 3f], results.Select(r => r.Probabilities[0]));
        Assert.Equal([2], scorer.BatchSizes);
    }

    [Fact]
    public async Task BatchSizesAndRequestDurationsAreRecordedOnTheHbacMeter()
    {
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new InferenceMetrics(provider.GetRequiredService<IMeterFactory>());
        var batchSizes = new List<long>();
        var requests = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HbacInstruments.MeterName && ReferenceEquals(instrument.Meter.Scope, provider.GetRequiredService<IMeterFactory>()))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == HbacInstruments.InferenceBatchSize)
            {
                lock (batchSizes)
                {
                    batchSizes.Add(value);
                }
            }
        });
        var providers = new List<object?>();
        var precisions = new List<object?>();
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (instrument.Name == HbacInstruments.InferenceRequestDuration)
            {
                Interlocked.Increment(ref requests);
            }
            lock (providers)
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == HbacInstruments.ExecutionProviderTag)
                    {
                        providers.Add(tag.Value);
                    }
                    if (tag.Key == HbacInstruments.PrecisionTag)
                    {
                        precisions.Add(tag.Value);
                    }
                }
            }
        });
        listener.Start();
        await using (var batcher = new MicroBatcher(new EchoScorer(), maxBatch: 3, maxDelay: TimeSpan.FromSeconds(30), metrics))
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => batcher.ScoreAsync(Inputs.Constant(i, 0, 0))));
        }

        Assert.Equal([3L], batchSizes);
        Assert.Equal(3, requests);
        // Three request latencies and one model time, each tagged with the provider and precision that scored.
        Assert.Equal(["CPU", "CPU", "CPU", "CPU"], providers);
        Assert.Equal(["int8", "int8", "int8", "int8"], precisions);
    }

    [Fact]
    public async Task WhenTheQueueIsFullTheNextWindowIsRefusedAndTheQueuedOnesStillComplete()
    {
        var scorer = new EchoScorer();
        var gate = new GatedScorer(scorer);
        await using var batcher = new MicroBatcher(gate, maxBatch: 1, maxDelay: TimeSpan.Zero, maxQueuedWindows: 2);

        // The first window is taken into a batch and held in the scorer; the next two wait in the queue.
        var running = batcher.ScoreAsync(Inputs.Constant(0, 0, 0));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { batcher.ScoreAsync(Inputs.Constant(1, 0, 0)), batcher.ScoreAsync(Inputs.Constant(2, 0, 0)) };
        Assert.Equal(2, batcher.QueuedWindows);

        var refused = Assert.Throws<ScoringOverloadedException>(() => { _ = batcher.ScoreAsync(Inputs.Constant(3, 0, 0)); });
        Assert.Throws<ScoringOverloadedException>(() => { _ = batcher.ScoreManyAsync(Inputs.Constant(4, 0, 0), 1); });

        Assert.Equal(2, refused.Limit);
        Assert.Contains("at most 2 waiting windows (Hbac:MaxQueuedWindows)", refused.Message);
        Assert.Equal(2, batcher.QueuedWindows);
        gate.Open();
        var results = await Task.WhenAll([running, .. queued]);
        Assert.Equal([0f, 1f, 2f], results.Select(r => r.Probabilities[0]));
        Assert.Equal([1, 1, 1], scorer.BatchSizes);
        // Room again: the batcher accepts and scores the next window.
        Assert.Equal(5f, (await batcher.ScoreAsync(Inputs.Constant(5, 0, 0))).Probabilities[0]);
        Assert.Equal(0, batcher.QueuedWindows);
    }

    [Fact]
    public async Task AMultiWindowRequestNeedsRoomForAllItsWindows()
    {
        var gate = new GatedScorer(new EchoScorer());
        await using var batcher = new MicroBatcher(gate, maxBatch: 4, maxDelay: TimeSpan.Zero, maxQueuedWindows: 3);
        var running = batcher.ScoreAsync(Inputs.Constant(0, 0, 0));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var one = batcher.ScoreAsync(Inputs.Constant(1, 0, 0));

        // Two places are left: three windows are refused as a whole, two fit.
        var refused = Assert.Throws<ScoringOverloadedException>(() => { _ = batcher.ScoreManyAsync(Windows(7, 8, 9), 3); });
        var two = batcher.ScoreManyAsync(Windows(7, 8), 2);

        Assert.Contains("these 3 windows", refused.Message);
        Assert.Equal(3, batcher.QueuedWindows);
        gate.Open();
        await Task.WhenAll(running, one, two);
        Assert.Equal([7f, 8f], (await two).Select(r => r.Probabilities[0]));
    }

    [Fact]
    public async Task AMultiWindowRequestIsOneModelCallAndStartsTheNextBatchWhenItDoesNotFit()
    {
        var scorer = new EchoScorer();
        // A long delay: batches only run when full or when the next request cannot join them.
        await using var batcher = new MicroBatcher(scorer, maxBatch: 4, maxDelay: TimeSpan.FromSeconds(30));

        var singles = new[] { batcher.ScoreAsync(Inputs.Constant(0, 0, 0)), batcher.ScoreAsync(Inputs.Constant(1, 0, 0)) };
        var many = batcher.ScoreManyAsync(Windows(2, 3, 4), 3);
        var last = batcher.ScoreAsync(Inputs.Constant(5, 0, 0));

        Assert.Equal([0f, 1f], (await Task.WhenAll(singles)).Select(r => r.Probabilities[0]));
        Assert.Equal([2f, 3f, 4f], (await many).Select(r => r.Probabilities[0]));
        Assert.Equal(5f, (await last).Probabilities[0]);
        // [0,1] could not take three more windows; the three went with the next single: 2 + 4.
        Assert.Equal([2, 4], scorer.BatchSizes);
    }

    [Fact]
    public async Task RefusedWindowsAreCountedOnTheHbacMeter()
    {
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var metrics = new InferenceMetrics(factory);
        long rejected = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == HbacInstruments.InferenceRejected && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref rejected, value));
        listener.Start();
        var gate = new GatedScorer(new EchoScorer());
        await using var batcher = new MicroBatcher(gate, maxBatch: 1, maxDelay: TimeSpan.Zero, metrics, maxQueuedWindows: 1);
        var running = batcher.ScoreAsync(Inputs.Constant(0, 0, 0));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = batcher.ScoreAsync(Inputs.Constant(1, 0, 0));

        Assert.Throws<ScoringOverloadedException>(() => { _ = batcher.ScoreAsync(Inputs.Constant(2, 0, 0)); });
        Assert.Throws<ScoringOverloadedException>(() => { _ = batcher.ScoreManyAsync(Windows(3, 4), 2); });

        Assert.Equal(3, Interlocked.Read(ref rejected));
        gate.Open();
        await Task.WhenAll(running, queued);
    }

    [Fact]
    public async Task AWindowOfTheWrongSizeIsRejected()
    {
        await using var batcher = new MicroBatcher(new EchoScorer(), maxBatch: 2, maxDelay: TimeSpan.Zero);
        // Shorter windows may be the pooled inputs of a model that pools first (the model checks their length); none is longer or empty.
        Assert.Throws<ArgumentException>(() => { _ = batcher.ScoreAsync(new float[3 * 400 * 300 + 1]); });
        Assert.Throws<ArgumentException>(() => { _ = batcher.ScoreAsync([]); });
    }

    /// <summary>Windows [n,3,400,300] whose first values are <paramref name="ids"/>.</summary>
    private static float[] Windows(params float[] ids) => ids.SelectMany(id => Inputs.Constant(id, 0, 0)).ToArray();
}

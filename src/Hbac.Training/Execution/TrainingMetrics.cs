using System.Diagnostics.Metrics;
using Hbac.Contracts;

namespace Hbac.Training.Execution;

/// <summary>The training instruments on the shared "Hbac" meter (names in <see cref="HbacInstruments"/>).</summary>
public sealed class TrainingMetrics
{
    private readonly Counter<long> _steps;
    private readonly Histogram<double> _loss;
    private readonly Counter<long> _epochs;
    private readonly Histogram<double> _throughput;
    private readonly Histogram<double> _validationLoss;

    public TrainingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(HbacInstruments.MeterName);
        _steps = meter.CreateCounter<long>(HbacInstruments.TrainingSteps, "{step}", "Training optimiser steps completed");
        _loss = meter.CreateHistogram<double>(HbacInstruments.TrainingLoss, "{kl}", "Mean training loss per step event");
        _epochs = meter.CreateCounter<long>(HbacInstruments.TrainingEpochs, "{epoch}", "Training epochs completed");
        _throughput = meter.CreateHistogram<double>(HbacInstruments.TrainingThroughput, "{sample}/s", "Training samples per second per step event");
        _validationLoss = meter.CreateHistogram<double>(HbacInstruments.TrainingValidationLoss, "{kl}", "Validation loss per epoch");
    }

    public void RecordSteps(int steps, double meanLoss, double samplesPerSecond)
    {
        _steps.Add(steps);
        _loss.Record(meanLoss);
        _throughput.Record(samplesPerSecond);
    }

    public void RecordEpoch(double validationLoss)
    {
        _epochs.Add(1);
        _validationLoss.Record(validationLoss);
    }
}

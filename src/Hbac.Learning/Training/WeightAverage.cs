using Hbac.Learning.Models;
using Hbac.Learning.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Hbac.Learning.Training;

/// <summary>
/// An exponential moving average of a model's weights over the optimiser's steps (Polyak averaging, as
/// timm's ModelEmaV2 keeps it). With a few hundred windows from a few dozen patients the weights of one step
/// fit the last batches; their average over the last couple of epochs generalises better and moves less from
/// epoch to epoch. Validation and export use the average (<see cref="Swap"/>); training continues on the raw
/// weights. The decay warms up as min(decay, (1 + t) / (10 + t)) so early averages are not stuck at the
/// random start. BatchNorm statistics are not averaged: the trainer re-estimates them for the averaged weights.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly Tensor[] _average;
    private readonly Tensor[] _spare;
    private readonly double _decay;
    private long _updates;

    public WeightAverage(ClassifierModel model, double decay)
    {
        _decay = decay;
        _parameters = model.parameters().Select(p => (Tensor)p).ToArray();
        using (torch.no_grad())
        {
            _average = _parameters.Select(p => p.detach().clone()).ToArray();
            _spare = _parameters.Select(p => p.detach().clone()).ToArray();
        }
    }

    /// <summary>Folds the current weights in (after each optimiser step).</summary>
    public void Update()
    {
        _updates++;
        var decay = Math.Min(_decay, (1.0 + _updates) / (10.0 + _updates));
        using var fence = TorchGcFence.Enter();
        using var keep = decay.ToScalar();
        using var take = (1 - decay).ToScalar();
        using (torch.no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _average[i].mul_(keep).add_(_parameters[i], take);
            }
        }
    }

    /// <summary>Exchanges the model's weights with the average: call once to evaluate the average, again to go back.</summary>
    public void Swap()
    {
        using var fence = TorchGcFence.Enter();
        using (torch.no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _spare[i].copy_(_parameters[i]);
                _parameters[i].copy_(_average[i]);
                _average[i].copy_(_spare[i]);
            }
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _average.Concat(_spare))
        {
            tensor.Dispose();
        }
    }
}

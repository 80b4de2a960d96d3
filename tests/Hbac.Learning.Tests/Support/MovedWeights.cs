using static TorchSharp.torch;

namespace Hbac.Learning.Tests.Support;

/// <summary>
/// Moves every weight and every BatchNorm's statistics away from its initial value, deterministically
/// (from torch's seed) and without a backward pass: a model whose export must carry all of them, with
/// no training step that could go wrong for reasons of its own.
/// </summary>
internal static class MovedWeights
{
    public static void Apply(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            parameter.add_(randn_like(parameter).mul_(name.EndsWith(".bias", StringComparison.Ordinal) ? 0.1 : 0.02));
        }
        foreach (var (name, buffer) in model.named_buffers())
        {
            if (name.EndsWith(".running_mean", StringComparison.Ordinal))
            {
                buffer.copy_(randn_like(buffer).mul_(0.1));
            }
            else if (name.EndsWith(".running_var", StringComparison.Ordinal))
            {
                buffer.copy_(rand_like(buffer).add_(0.5));
            }
        }
    }
}

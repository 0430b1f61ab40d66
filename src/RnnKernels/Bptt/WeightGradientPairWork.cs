using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// A layer direction's dW_R and dW_F products side by side on a two-thread pool: part 0 computes dW_R and the bias
/// gradients, part 1 dW_F, each whole on its thread. One per workspace, retargeted per layer and direction.
/// </summary>
internal sealed class WeightGradientPairWork(RnnWorkspace ws) : IParallelWork
{
    private float[] _gradients = [];
    private RecurrentTensors? _weights;
    private LayerPass _pass;

    public WeightGradientPairWork Target(float[] gradients, RecurrentTensors weights, LayerPass pass)
    {
        (_gradients, _weights, _pass) = (gradients, weights, pass);
        return this;
    }

    /// <summary>dW_R is G*H x H and dW_F G*H x the input width, both summed over the same rows.</summary>
    public long Weight(int part, int parts) => part == 0 ? _pass.Hidden : _pass.InputWidth;

    public void Execute(int part, int parts)
    {
        if (_weights is not { } weights)
        {
            throw new InvalidOperationException("WeightGradientPairWork ran without a target.");
        }

        if (part == 0)
        {
            RecurrentLayer.RecurrentWeightGradient(ws, _gradients, weights, _pass, pool: null);
            RecurrentLayer.BiasGradients(ws, _gradients, weights, _pass);
        }
        else
        {
            RecurrentLayer.InputWeightGradient(ws, _gradients, weights, _pass, pool: null);
        }
    }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// A layer direction's dW_R and dW_F products side by side on a two-thread pool: part 0 computes dW_R (whose product
/// is one step shorter) and the bias gradients, part 1 dW_F, each whole on its thread. One per workspace, retargeted
/// per layer and direction.
/// </summary>
internal sealed class WeightGradientPair(RnnWorkspace ws) : IParallelWork
{
    private RnnModel? _model;
    private float[] _gradients = [];
    private RecurrentTensors? _weights;
    private int _layer, _direction, _steps, _batch, _state;

    public WeightGradientPair Target(
        RnnModel model, float[] gradients, RecurrentTensors weights, int layer, int direction, int steps, int batch, int state)
    {
        (_model, _gradients, _weights) = (model, gradients, weights);
        (_layer, _direction, _steps, _batch, _state) = (layer, direction, steps, batch, state);
        return this;
    }

    public void Execute(int part, int parts)
    {
        if (_model is not { } model || _weights is not { } weights)
        {
            throw new InvalidOperationException("WeightGradientPair ran without a target.");
        }

        if (part == 0)
        {
            RecurrentLayer.RecurrentWeightGradient(model, ws, _gradients, weights, _layer, _direction, _steps, _batch, _state, pool: null);
            RecurrentLayer.BiasGradients(model, ws, _gradients, weights, _steps, _batch);
        }
        else
        {
            RecurrentLayer.InputWeightGradient(model, ws, _gradients, weights, _layer, _steps, _batch, pool: null);
        }
    }
}

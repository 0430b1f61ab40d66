using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// The output layer's backward products side by side on a two-thread pool: part 0 computes dW_o, part 1 db_o and
/// dE/dh (the column sums go with the slightly cheaper product), each whole on its thread. One per workspace.
/// </summary>
internal sealed class OutputGradientPairWork(RnnWorkspace ws) : IParallelWork
{
    private RnnModel? _model;
    private float[] _gradients = [];
    private int _rows;

    public OutputGradientPairWork Target(RnnModel model, float[] gradients, int rows)
    {
        (_model, _gradients, _rows) = (model, gradients, rows);
        return this;
    }

    public void Execute(int part, int parts)
    {
        RnnModel model = _model ?? throw new InvalidOperationException("OutputGradientPairWork ran without a target.");
        if (part == 0)
        {
            OutputLayer.WeightGradient(model, ws, _gradients, _rows, pool: null);
        }
        else
        {
            OutputLayer.BiasGradient(model, ws, _gradients, _rows);
            OutputLayer.StateGradient(model, ws, _rows, pool: null);
        }
    }
}

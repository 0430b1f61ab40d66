using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>o_t = W_o h_t + b_o for all steps at once, and its backward (networks with an output layer only).</summary>
internal static class OutputLayer
{
    /// <summary>Logits [T*B, O] from the top layer's outputs [T*B, D*H].</summary>
    public static void Forward(RnnModel model, RnnWorkspace ws, int rows)
    {
        int o = model.Shape.OutputSize, dh = model.Shape.LayerOutputSize;
        Span<float> logits = ws.Outputs.AsSpan(0, rows * o);
        BiasEpilogue bias = ws.Bias.Target(new Memory2D<float>(ws.Outputs, rows, o), model.Parameters.AsMemory(model.Layout.OutputBias!.Offset, o));
        Gemm.Compute(Transpose.No, Transpose.Yes, rows, o, dh, 1f, ws.LayerOutputs[^1].AsSpan(0, rows * dh), dh,
            model.View(model.Layout.OutputWeight!), dh, 0f, logits, o, ws.Pool, bias);
    }

    /// <summary>Accumulates dW_o and db_o from dE/do and writes dE/dh of the top layer.</summary>
    public static void Backward(RnnModel model, RnnWorkspace ws, float[] gradients, int rows)
    {
        int o = model.Shape.OutputSize, dh = model.Shape.LayerOutputSize;
        if (ProductPairs.PoolFor(ws.Pool, (long)o * dh * rows) is { } pool)
        {
            // dW_o and dH are independent products of about the same size: one whole product per thread beats
            // splitting each in two, where both threads would pack all of the operand the split shares. A product's
            // bits do not depend on how it is split, so this matches any other thread count.
            pool.Run(ws.OutputGradients.Target(model, gradients, rows), 2);
            return;
        }

        WeightGradient(model, ws, gradients, rows, ws.Pool);
        BiasGradient(model, ws, gradients, rows);
        StateGradient(model, ws, rows, ws.Pool);
    }

    /// <summary>dW_o += dE/do^T H over all steps.</summary>
    internal static void WeightGradient(RnnModel model, RnnWorkspace ws, float[] gradients, int rows, WorkerPool? pool)
    {
        int o = model.Shape.OutputSize, dh = model.Shape.LayerOutputSize;
        ParameterTensor weight = model.Layout.OutputWeight!;
        Gemm.Compute(Transpose.Yes, Transpose.No, o, dh, rows, 1f, ws.OutputGradient.AsSpan(0, rows * o), o,
            ws.LayerOutputs[^1].AsSpan(0, rows * dh), dh, 1f, gradients.AsSpan(weight.Offset, weight.Length), dh, pool);
    }

    /// <summary>db_o += the column sums of dE/do.</summary>
    internal static void BiasGradient(RnnModel model, RnnWorkspace ws, float[] gradients, int rows)
    {
        int o = model.Shape.OutputSize;
        ParameterTensor bias = model.Layout.OutputBias!;
        Reductions.ColumnSums(ws.OutputGradient.AsSpan(0, rows * o), rows, o, gradients.AsSpan(bias.Offset, bias.Length), accumulate: true);
    }

    /// <summary>dE/dh of the top layer = dE/do W_o.</summary>
    internal static void StateGradient(RnnModel model, RnnWorkspace ws, int rows, WorkerPool? pool)
    {
        int o = model.Shape.OutputSize, dh = model.Shape.LayerOutputSize;
        Gemm.Compute(Transpose.No, Transpose.No, rows, dh, o, 1f, ws.OutputGradient.AsSpan(0, rows * o), o,
            model.View(model.Layout.OutputWeight!), dh, 0f, ws.LayerOutputGradients[^1].AsSpan(0, rows * dh), dh, pool);
    }
}

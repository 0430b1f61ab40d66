using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>o_t = W_o h_t + b_o for all steps at once, and its backward.</summary>
internal static class OutputLayer
{
    /// <summary>Logits [T*B, O] from the top layer's outputs [T*B, D*H].</summary>
    public static void Forward(RnnModel model, RnnWorkspace ws, int rows)
    {
        int o = model.Shape.OutputSize, dh = model.Shape.LayerOutputSize;
        Span<float> logits = ws.Logits.AsSpan(0, rows * o);
        BiasEpilogue bias = ws.Bias.Target(ws.Logits, 0, o, model.Parameters, model.Layout.OutputBias.Offset);
        Gemm.Compute(Transpose.No, Transpose.Yes, rows, o, dh, 1f, ws.LayerOutputs[^1].AsSpan(0, rows * dh), dh,
            model.View(model.Layout.OutputWeight), dh, 0f, logits, o, ws.Pool, bias);
    }

    /// <summary>Accumulates dW_o and db_o from dE/do and writes dE/dh of the top layer.</summary>
    public static void Backward(RnnModel model, RnnWorkspace ws, float[] gradients, int rows)
    {
        int o = model.Shape.OutputSize, dh = model.Shape.LayerOutputSize;
        ReadOnlySpan<float> dLogits = ws.LogitGradient.AsSpan(0, rows * o);
        ParameterTensor weight = model.Layout.OutputWeight, bias = model.Layout.OutputBias;
        Gemm.Compute(Transpose.Yes, Transpose.No, o, dh, rows, 1f, dLogits, o, ws.LayerOutputs[^1].AsSpan(0, rows * dh), dh,
            1f, gradients.AsSpan(weight.Offset, weight.Length), dh, ws.Pool);
        Reductions.ColumnSums(dLogits, rows, o, gradients.AsSpan(bias.Offset, bias.Length), accumulate: true);
        Gemm.Compute(Transpose.No, Transpose.No, rows, dh, o, 1f, dLogits, o, model.View(weight), dh, 0f,
            ws.LayerOutputGradients[^1].AsSpan(0, rows * dh), dh, ws.Pool);
    }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>The products and copies both layer passes (Elman and gated) make the same way.</summary>
internal static class LayerProducts
{
    /// <summary>
    /// C = A op(W_R) + beta C for a step's first <paramref name="rows"/> entries (op(W_R) is k x n; W_R is stored
    /// [G*H, H]), then <paramref name="epilogue"/> on each block: from the packed W_R when there is one (gated forward
    /// steps at any batch, other steps at batch &gt; 1), else a matrix-vector product that reads W_R itself.
    /// </summary>
    public static void Step(
        RnnWorkspace ws, PackedMatrix? packed, ReadOnlySpan<float> recurrent, Transpose transR, int rows, int k, int n,
        ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc, IGemmEpilogue? epilogue)
    {
        int ldr = transR == Transpose.Yes ? k : n;
        if (packed is not null)
        {
            Gemm.Compute(Transpose.No, rows, 1f, a, lda, packed, beta, c, ldc, ws.Pool, epilogue);
        }
        else if (epilogue is not null)
        {
            Gemm.Compute(Transpose.No, transR, rows, n, k, 1f, a, lda, recurrent, ldr, beta, c, ldc, ws.Pool, epilogue);
        }
        else
        {
            Gemm.Compute(Transpose.No, transR, rows, n, k, 1f, a, lda, recurrent, ldr, beta, c, ldc, ws.Pool);
        }
    }

    /// <summary>
    /// dW_R += sum_t dA_t^T h_{t-1} for dA [T, B, gateRows]. The h_{t-1} are the layer's outputs one step back except
    /// the first step's, h_0, which lives elsewhere: with few rows (T*B &lt; G*H) they are copied side by side and the
    /// sum is one product, because a second product for h_0 alone would read and write all of dW_R (G*H*H floats) again
    /// for one row of depth, which costs more than copying the T*B*H floats (docs/design-notes.md). Otherwise one
    /// product for the steps whose h_{t-1} is in the layer's output and one for the step that reads h_0, skipped when
    /// no h_0 was given (it would add zeros).
    /// </summary>
    public static void RecurrentWeightGradient(
        RnnWorkspace ws, ReadOnlySpan<float> dA, int gateRows, Span<float> dWhh, LayerPass pass, WorkerPool? pool)
    {
        int h = pass.Hidden, dh = pass.OutputWidth, batch = pass.Batch, steps = pass.Steps, rows = pass.Rows;
        ReadOnlySpan<float> y = ws.LayerOutputs[pass.Layer].AsSpan(0, rows * dh); // [T, B, D*H]
        ReadOnlySpan<float> h0 = ws.InitialState.AsSpan(pass.StateAt, batch * h);
        if (steps > 1 && rows < gateRows)
        {
            Span<float> previous = ws.PreviousStates.AsSpan(0, rows * h);
            int first = pass.StepAt(0), shift = pass.Direction == 0 ? 1 : -1;
            h0.CopyTo(previous.Slice(first * batch * h, batch * h));
            for (int t = 0; t < steps; t++)
            {
                if (t == first)
                {
                    continue;
                }

                for (int b = 0; b < batch; b++)
                {
                    y.Slice(((((t - shift) * batch) + b) * dh) + pass.Column, h).CopyTo(previous.Slice(((t * batch) + b) * h, h));
                }
            }

            Gemm.Compute(Transpose.Yes, Transpose.No, gateRows, h, rows, 1f, dA, gateRows, previous, h, 1f, dWhh, h, pool);
            return;
        }

        if (steps > 1)
        {
            int dAStart = pass.Direction == 0 ? batch * gateRows : 0;
            int yStart = (pass.Direction == 0 ? 0 : batch * dh) + pass.Column;
            Gemm.Compute(Transpose.Yes, Transpose.No, gateRows, h, (steps - 1) * batch, 1f, dA[dAStart..], gateRows, y[yStart..], dh, 1f, dWhh, h, pool);
        }

        if (!ws.InitialStateIsZero)
        {
            Gemm.Compute(Transpose.Yes, Transpose.No, gateRows, h, batch, 1f, dA.Slice(pass.StepAt(0) * batch * gateRows, batch * gateRows), gateRows,
                h0, h, 1f, dWhh, h, pool);
        }
    }

    /// <summary>
    /// The gradient a backward pass carries into its first step (the forward pass's last): the caller's dE/dh_n (or
    /// dE/dc_n) for this layer and direction when it gave one, else zeros (pooled buffers come back dirty). An entry
    /// that finished early carried its state to the last step unchanged, so its gradient flows back to its own last
    /// step through the carried rows.
    /// </summary>
    public static void StartCarry(bool given, float[] finalGradient, LayerPass pass, Span<float> carried)
    {
        if (given)
        {
            finalGradient.AsSpan(pass.StateAt, carried.Length).CopyTo(carried);
        }
        else
        {
            carried.Clear();
        }
    }

    /// <summary>h_n: each entry's row at the pass's last step (finished entries carried their state there).</summary>
    public static void StoreFinalState(RnnWorkspace ws, LayerPass pass)
    {
        int h = pass.Hidden, dh = pass.OutputWidth, last = pass.StepAt(pass.Steps - 1);
        for (int b = 0; b < pass.Batch; b++)
        {
            ws.LayerOutputs[pass.Layer].AsSpan((((last * pass.Batch) + b) * dh) + pass.Column, h).CopyTo(ws.FinalState.AsSpan(pass.StateAt + (b * h), h));
        }
    }
}

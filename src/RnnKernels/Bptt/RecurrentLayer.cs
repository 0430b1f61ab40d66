using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Forward and backward of one recurrent layer in one direction. Work that does not depend on the recurrence runs
/// for all steps as one GEMM (input projection before the loop; dW_F, dW_R, biases and dX after it); only
/// h_t = f(a_t + h_{t-1} W_R^T) and dA_t = (dH_t + dA_{t+1} W_R) * f'(h_t) stay in the step loop.
/// </summary>
/// <remarks>
/// Variable lengths: an entry that has finished (t &gt;= length) carries its state unchanged through the step
/// (h_t = h_prev), which is what makes h_n every entry's state at its own last step, and in backward its gradient
/// passes through unchanged. Rows at and beyond <see cref="RnnWorkspace.ActiveRows"/> are not multiplied at all, so
/// equal lengths cost nothing and a batch sorted by length shrinks its GEMMs as entries finish.
/// </remarks>
internal static class RecurrentLayer
{
    /// <summary>Runs layer <paramref name="layer"/>, direction <paramref name="direction"/> over all steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(RnnModel model, RnnWorkspace ws, int layer, int direction, int steps, int batch)
    {
        RnnShape shape = model.Shape;
        int h = shape.HiddenSize, dh = shape.LayerOutputSize, width = shape.LayerInputSize(layer);
        int rows = steps * batch, column = direction * h;
        RecurrentTensors weights = model.Layout.Recurrent(layer, direction);
        ReadOnlySpan<float> x = layer == 0 ? ws.Input.AsSpan(0, rows * width) : ws.LayerOutputs[layer - 1].AsSpan(0, rows * width);
        Span<float> y = ws.LayerOutputs[layer].AsSpan(0, rows * dh);
        int state = ((layer * shape.Directions) + direction) * batch * h;
        ReadOnlySpan<float> h0 = ws.InitialState.AsSpan(state, batch * h);

        // a_t = x_t W_F^T + (b_ih + b_hh) for every step at once, written into this direction's columns of y; the
        // bias is added to each block of the product by the thread that computed it.
        Elementwise.Add(model.View(weights.BiasIh), model.View(weights.BiasHh), ws.BiasSum);
        BiasEpilogue bias = ws.Bias.Target(new Memory2D<float>(ws.LayerOutputs[layer], column, rows, h, dh - h), ws.BiasSum);
        Gemm.Compute(Transpose.No, Transpose.Yes, rows, h, width, 1f, x, width, model.View(weights.WeightIh), width, 0f, y[column..], dh, ws.Pool, bias);

        // The T step products share B = W_R^T: it is packed once for all of them. At batch 1 a step is a
        // matrix-vector product, which reads W_R's rows directly instead.
        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        PackedMatrix? packed = batch > 1 ? ws.PackedRecurrent : null;
        packed?.Pack(Transpose.Yes, h, h, recurrent, h, ws.Pool);

        for (int s = 0; s < steps; s++)
        {
            int t = direction == 0 ? s : steps - 1 - s;
            int previous = direction == 0 ? t - 1 : t + 1;
            ReadOnlySpan<float> hPrev = s == 0 ? h0 : y[((previous * batch * dh) + column)..];
            int ldPrev = s == 0 ? h : dh;
            Span<float> current = y[((t * batch * dh) + column)..];
            int active = ws.ActiveRows[t];

            // a_t += h_{t-1} W_R^T. When every entry runs at t, h_t = f(a_t) is fused onto the product: each thread
            // activates the block it has just computed, while it is in its cache.
            StepActivation? activate = ws.AllActive[t] ? ws.StepActivation.Target(new Memory2D<float>(ws.LayerOutputs[layer], (t * batch * dh) + column, batch, h, dh - h)) : null;
            StepProduct(ws, packed, recurrent, Transpose.Yes, active, h, hPrev, ldPrev, 1f, current, dh, activate);
            if (activate is not null)
            {
                continue;
            }

            for (int b = 0; b < batch; b++)
            {
                Span<float> row = current.Slice(b * dh, h);
                if (t < ws.Lengths[b])
                {
                    Activation.Forward(shape.Nonlinearity, row, row);
                }
                else
                {
                    hPrev.Slice(b * ldPrev, h).CopyTo(row);
                }
            }
        }

        // h_n: forward ends at t = T-1 (finished entries carried their last state there), reverse ends at t = 0.
        int last = direction == 0 ? steps - 1 : 0;
        for (int b = 0; b < batch; b++)
        {
            y.Slice((((last * batch) + b) * dh) + column, h).CopyTo(ws.FinalState.AsSpan(state + (b * h), h));
        }
    }

    /// <summary>
    /// Back-propagates dE/dh (in <see cref="RnnWorkspace.LayerOutputGradients"/>) through this layer and direction,
    /// accumulating into <paramref name="gradients"/>, writing dE/dh_0, and adding dE/dx into <paramref name="inputGradient"/>
    /// when it is not empty (overwriting it when <paramref name="overwriteInputGradient"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(
        RnnModel model, RnnWorkspace ws, float[] gradients, int layer, int direction, int steps, int batch,
        Span<float> inputGradient, bool overwriteInputGradient)
    {
        RnnShape shape = model.Shape;
        int h = shape.HiddenSize, dh = shape.LayerOutputSize, width = shape.LayerInputSize(layer);
        int rows = steps * batch, column = direction * h;
        RecurrentTensors weights = model.Layout.Recurrent(layer, direction);
        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        ReadOnlySpan<float> y = ws.LayerOutputs[layer].AsSpan(0, rows * dh);
        ReadOnlySpan<float> dy = ws.LayerOutputGradients[layer].AsSpan(0, rows * dh);
        Span<float> dA = ws.PreActivationGradient.AsSpan(0, rows * h);
        Span<float> carried = ws.CarriedGradient.AsSpan(0, batch * h);
        carried.Clear(); // Pooled buffers come back dirty; nothing flows in through h_n.

        // The T step products share B = W_R: packed once for all of them (at batch 1 they are matrix-vector products
        // that read W_R's rows directly).
        PackedMatrix? packed = batch > 1 ? ws.PackedRecurrent : null;
        packed?.Pack(Transpose.No, h, h, recurrent, h, ws.Pool);

        bool ready = false; // dA_t was already finished by the epilogue of the previous step's product.
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = direction == 0 ? s : steps - 1 - s;
            int active = ws.ActiveRows[t];
            Span<float> dAt = dA.Slice(t * batch * h, batch * h);
            if (ws.AllActive[t] && dh == h)
            {
                // dA_t = (dH_t + dA_{t+1} W_R) * f'(h_t) for the whole step at once.
                if (!ready)
                {
                    Elementwise.Add(dy.Slice(t * batch * h, batch * h), carried, dAt);
                    Activation.Backward(shape.Nonlinearity, y.Slice(t * batch * h, batch * h), dAt);
                }

                // The product carries the gradient into the step processed next; when that step is a full one too, its
                // dA is finished on each block of the product by the thread that computed it.
                int next = direction == 0 ? t - 1 : t + 1;
                ready = s > 0 && ws.AllActive[next];
                StepGradient? finish = ready
                    ? ws.StepGradient.Target(
                        new Memory2D<float>(ws.CarriedGradient, 0, batch, h, 0),
                        new Memory2D<float>(ws.LayerOutputGradients[layer], next * batch * h, batch, h, 0),
                        new Memory2D<float>(ws.LayerOutputs[layer], next * batch * h, batch, h, 0),
                        new Memory2D<float>(ws.PreActivationGradient, next * batch * h, batch, h, 0))
                    : null;
                StepProduct(ws, packed, recurrent, Transpose.No, batch, h, dAt, h, 0f, carried, h, finish);
                continue;
            }

            for (int b = 0; b < batch; b++)
            {
                Span<float> dAb = dAt.Slice(b * h, h);
                Span<float> carriedB = carried.Slice(b * h, h);
                Elementwise.Add(dy.Slice((((t * batch) + b) * dh) + column, h), carriedB, dAb);
                if (t < ws.Lengths[b])
                {
                    Activation.Backward(shape.Nonlinearity, y.Slice((((t * batch) + b) * dh) + column, h), dAb);
                }
                else
                {
                    // A finished entry's state was copied through this step: its gradient passes through unchanged.
                    dAb.CopyTo(b < active ? ws.SavedCarry.AsSpan(b * h, h) : carriedB);
                    dAb.Clear();
                }
            }

            StepProduct(ws, packed, recurrent, Transpose.No, active, h, dAt, h, 0f, carried, h, null);
            for (int b = 0; b < active; b++)
            {
                if (t >= ws.Lengths[b])
                {
                    ws.SavedCarry.AsSpan(b * h, h).CopyTo(carried.Slice(b * h, h));
                }
            }
        }

        int state = ((layer * shape.Directions) + direction) * batch * h;
        carried.CopyTo(ws.InitialStateGradient.AsSpan(state, batch * h));
        AccumulateWeightGradients(model, ws, gradients, weights, layer, direction, steps, batch, state);

        if (!inputGradient.IsEmpty)
        {
            // dX += dA W_F: the gradient the layer below (or the caller) receives.
            Gemm.Compute(Transpose.No, Transpose.No, rows, width, h, 1f, dA, h, model.View(weights.WeightIh), width,
                overwriteInputGradient ? 0f : 1f, inputGradient, width, ws.Pool);
        }
    }

    /// <summary>
    /// C = A op(W_R) + beta C for a step's first <paramref name="rows"/> entries, then <paramref name="epilogue"/> on each
    /// block: from the packed W_R when there is one (batch &gt; 1), else a matrix-vector product that reads W_R itself.
    /// </summary>
    private static void StepProduct(
        RnnWorkspace ws, PackedMatrix? packed, ReadOnlySpan<float> recurrent, Transpose transR, int rows, int h,
        ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc, IGemmEpilogue? epilogue)
    {
        if (packed is not null)
        {
            Gemm.Compute(Transpose.No, rows, 1f, a, lda, packed, beta, c, ldc, ws.Pool, epilogue);
        }
        else if (epilogue is not null)
        {
            Gemm.Compute(Transpose.No, transR, rows, h, h, 1f, a, lda, recurrent, h, beta, c, ldc, ws.Pool, epilogue);
        }
        else
        {
            Gemm.Compute(Transpose.No, transR, rows, h, h, 1f, a, lda, recurrent, h, beta, c, ldc, ws.Pool);
        }
    }

    private static void AccumulateWeightGradients(
        RnnModel model, RnnWorkspace ws, float[] gradients, RecurrentTensors weights, int layer, int direction, int steps, int batch, int state)
    {
        RnnShape shape = model.Shape;
        long smaller = (long)shape.HiddenSize * Math.Min(shape.HiddenSize, shape.LayerInputSize(layer)) * (steps - 1) * batch;
        if (ProductPairs.PoolFor(ws.Pool, smaller) is { } pool)
        {
            // dW_R and dW_F are two independent products of about the same size: one whole product per thread beats
            // splitting each in two, where both threads would pack all of dA^T. A product's bits do not depend on how
            // it is split, so this matches any other thread count.
            pool.Run(ws.WeightGradients.Target(model, gradients, weights, layer, direction, steps, batch, state), 2);
        }
        else
        {
            RecurrentWeightGradient(model, ws, gradients, weights, layer, direction, steps, batch, state, ws.Pool);
            BiasGradients(model, ws, gradients, weights, steps, batch);
            InputWeightGradient(model, ws, gradients, weights, layer, steps, batch, ws.Pool);
        }
    }

    /// <summary>b_ih and b_hh enter a_t identically, so both receive the column sums of dA.</summary>
    internal static void BiasGradients(RnnModel model, RnnWorkspace ws, float[] gradients, RecurrentTensors weights, int steps, int batch)
    {
        int h = model.Shape.HiddenSize;
        Reductions.ColumnSums(ws.PreActivationGradient.AsSpan(0, steps * batch * h), steps * batch, h, ws.BiasGradient, accumulate: false);
        Elementwise.Axpy(1f, ws.BiasGradient, gradients.AsSpan(weights.BiasIh.Offset, h));
        Elementwise.Axpy(1f, ws.BiasGradient, gradients.AsSpan(weights.BiasHh.Offset, h));
    }

    /// <summary>dW_R += sum_t dA_t^T h_{t-1}: one GEMM over the steps whose h_{t-1} is in y, one for the step that reads h_0.</summary>
    internal static void RecurrentWeightGradient(
        RnnModel model, RnnWorkspace ws, float[] gradients, RecurrentTensors weights, int layer, int direction, int steps, int batch, int state,
        WorkerPool? pool)
    {
        RnnShape shape = model.Shape;
        int h = shape.HiddenSize, dh = shape.LayerOutputSize;
        int rows = steps * batch, column = direction * h;
        ReadOnlySpan<float> dA = ws.PreActivationGradient.AsSpan(0, rows * h);
        ReadOnlySpan<float> y = ws.LayerOutputs[layer].AsSpan(0, rows * dh);
        ReadOnlySpan<float> h0 = ws.InitialState.AsSpan(state, batch * h);
        Span<float> dWhh = gradients.AsSpan(weights.WeightHh.Offset, weights.WeightHh.Length);
        int firstStep = direction == 0 ? 0 : steps - 1;
        if (steps > 1)
        {
            int dAStart = direction == 0 ? batch * h : 0;
            int yStart = (direction == 0 ? 0 : batch * dh) + column;
            Gemm.Compute(Transpose.Yes, Transpose.No, h, h, (steps - 1) * batch, 1f, dA[dAStart..], h, y[yStart..], dh, 1f, dWhh, h, pool);
        }

        Gemm.Compute(Transpose.Yes, Transpose.No, h, h, batch, 1f, dA.Slice(firstStep * batch * h, batch * h), h, h0, h, 1f, dWhh, h, pool);
    }

    /// <summary>dW_F += dA^T X over all steps.</summary>
    internal static void InputWeightGradient(
        RnnModel model, RnnWorkspace ws, float[] gradients, RecurrentTensors weights, int layer, int steps, int batch, WorkerPool? pool)
    {
        RnnShape shape = model.Shape;
        int h = shape.HiddenSize, width = shape.LayerInputSize(layer);
        int rows = steps * batch;
        ReadOnlySpan<float> dA = ws.PreActivationGradient.AsSpan(0, rows * h);
        ReadOnlySpan<float> x = layer == 0 ? ws.Input.AsSpan(0, rows * width) : ws.LayerOutputs[layer - 1].AsSpan(0, rows * width);
        Gemm.Compute(Transpose.Yes, Transpose.No, h, width, rows, 1f, dA, h, x, width, 1f,
            gradients.AsSpan(weights.WeightIh.Offset, weights.WeightIh.Length), width, pool);
    }
}

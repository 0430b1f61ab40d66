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

        // a_t = b_ih + b_hh + x_t W_F^T for every step at once, written into this direction's columns of y.
        Elementwise.BroadcastRows(model.View(weights.BiasIh), model.View(weights.BiasHh), rows, y[column..], dh);
        Gemm.Compute(Transpose.No, Transpose.Yes, rows, h, width, 1f, x, width, model.View(weights.WeightIh), width, 1f, y[column..], dh, ws.Pool);

        // The step GEMM reads W_R^T untransposed (packing a transposed B for every step would gather element by
        // element). At batch 1 the step is a matrix-vector product, which reads W_R's rows directly instead.
        bool singleRow = batch == 1;
        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        if (!singleRow)
        {
            float[] transposed = ws.TransposedRecurrent[(layer * shape.Directions) + direction];
            Matrices.Transpose(recurrent, h, h, transposed);
            recurrent = transposed;
        }

        for (int s = 0; s < steps; s++)
        {
            int t = direction == 0 ? s : steps - 1 - s;
            int previous = direction == 0 ? t - 1 : t + 1;
            ReadOnlySpan<float> hPrev = s == 0 ? h0 : y[((previous * batch * dh) + column)..];
            int ldPrev = s == 0 ? h : dh;
            Span<float> current = y[((t * batch * dh) + column)..];
            int active = ws.ActiveRows[t];

            // a_t += h_{t-1} W_R^T, then h_t = f(a_t) on the rows still in the tile's cache.
            Gemm.Compute(Transpose.No, singleRow ? Transpose.Yes : Transpose.No, active, h, h, 1f, hPrev, ldPrev, recurrent, h, 1f, current, dh, ws.Pool);
            if (ws.AllActive[t] && dh == h)
            {
                // Every entry runs at t, so active == batch and the step's rows are one contiguous block.
                Activate(shape.Nonlinearity, current[..(active * h)]);
            }
            else
            {
                for (int b = 0; b < batch; b++)
                {
                    Span<float> row = current.Slice(b * dh, h);
                    if (t < ws.Lengths[b])
                    {
                        Activate(shape.Nonlinearity, row);
                    }
                    else
                    {
                        hPrev.Slice(b * ldPrev, h).CopyTo(row);
                    }
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

        for (int s = steps - 1; s >= 0; s--)
        {
            int t = direction == 0 ? s : steps - 1 - s;
            int active = ws.ActiveRows[t];
            Span<float> dAt = dA.Slice(t * batch * h, batch * h);
            if (ws.AllActive[t] && dh == h)
            {
                // dA_t = (dH_t + dA_{t+1} W_R) * f'(h_t) for the whole step at once.
                Elementwise.Add(dy.Slice(t * batch * h, batch * h), carried, dAt);
                ActivateBackward(shape.Nonlinearity, y.Slice(t * batch * h, batch * h), dAt);
                Gemm.Compute(Transpose.No, Transpose.No, batch, h, h, 1f, dAt, h, recurrent, h, 0f, carried, h, ws.Pool);
                continue;
            }

            for (int b = 0; b < batch; b++)
            {
                Span<float> dAb = dAt.Slice(b * h, h);
                Span<float> carriedB = carried.Slice(b * h, h);
                Elementwise.Add(dy.Slice((((t * batch) + b) * dh) + column, h), carriedB, dAb);
                if (t < ws.Lengths[b])
                {
                    ActivateBackward(shape.Nonlinearity, y.Slice((((t * batch) + b) * dh) + column, h), dAb);
                }
                else
                {
                    // A finished entry's state was copied through this step: its gradient passes through unchanged.
                    dAb.CopyTo(b < active ? ws.SavedCarry.AsSpan(b * h, h) : carriedB);
                    dAb.Clear();
                }
            }

            Gemm.Compute(Transpose.No, Transpose.No, active, h, h, 1f, dAt, h, recurrent, h, 0f, carried, h, ws.Pool);
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

    private static void AccumulateWeightGradients(
        RnnModel model, RnnWorkspace ws, float[] gradients, RecurrentTensors weights, int layer, int direction, int steps, int batch, int state)
    {
        RnnShape shape = model.Shape;
        int h = shape.HiddenSize, dh = shape.LayerOutputSize, width = shape.LayerInputSize(layer);
        int rows = steps * batch, column = direction * h;
        ReadOnlySpan<float> dA = ws.PreActivationGradient.AsSpan(0, rows * h);
        ReadOnlySpan<float> y = ws.LayerOutputs[layer].AsSpan(0, rows * dh);
        ReadOnlySpan<float> x = layer == 0 ? ws.Input.AsSpan(0, rows * width) : ws.LayerOutputs[layer - 1].AsSpan(0, rows * width);
        ReadOnlySpan<float> h0 = ws.InitialState.AsSpan(state, batch * h);
        Span<float> dWhh = gradients.AsSpan(weights.WeightHh.Offset, weights.WeightHh.Length);

        // dW_R = sum_t dA_t^T h_{t-1}: one GEMM over the steps whose h_{t-1} is in y, one for the step that reads h_0.
        int firstStep = direction == 0 ? 0 : steps - 1;
        if (steps > 1)
        {
            int dAStart = direction == 0 ? batch * h : 0;
            int yStart = (direction == 0 ? 0 : batch * dh) + column;
            Gemm.Compute(Transpose.Yes, Transpose.No, h, h, (steps - 1) * batch, 1f, dA[dAStart..], h, y[yStart..], dh, 1f, dWhh, h, ws.Pool);
        }

        Gemm.Compute(Transpose.Yes, Transpose.No, h, h, batch, 1f, dA.Slice(firstStep * batch * h, batch * h), h, h0, h, 1f, dWhh, h, ws.Pool);

        // dW_F = dA^T X over all steps.
        Gemm.Compute(Transpose.Yes, Transpose.No, h, width, rows, 1f, dA, h, x, width, 1f,
            gradients.AsSpan(weights.WeightIh.Offset, weights.WeightIh.Length), width, ws.Pool);

        // b_ih and b_hh enter a_t identically, so both receive the column sums of dA.
        Reductions.ColumnSums(dA, rows, h, ws.BiasGradient, accumulate: false);
        Elementwise.Axpy(1f, ws.BiasGradient, gradients.AsSpan(weights.BiasIh.Offset, h));
        Elementwise.Axpy(1f, ws.BiasGradient, gradients.AsSpan(weights.BiasHh.Offset, h));
    }

    private static void Activate(Nonlinearity nonlinearity, Span<float> values)
    {
        if (nonlinearity == Nonlinearity.Tanh)
        {
            Activations.Tanh(values, values);
        }
        else
        {
            Activations.Relu(values, values);
        }
    }

    private static void ActivateBackward(Nonlinearity nonlinearity, ReadOnlySpan<float> output, Span<float> gradient)
    {
        if (nonlinearity == Nonlinearity.Tanh)
        {
            Activations.TanhBackward(output, gradient, gradient);
        }
        else
        {
            Activations.ReluBackward(output, gradient, gradient);
        }
    }
}

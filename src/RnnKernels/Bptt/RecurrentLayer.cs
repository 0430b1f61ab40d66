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
        LayerPass pass = new(model.Shape, layer, direction, steps, batch);
        int h = pass.Hidden, dh = pass.OutputWidth, column = pass.Column;
        RecurrentTensors weights = model.Layout.Recurrent(layer, direction);
        Span<float> y = ws.LayerOutputs[layer].AsSpan(0, pass.Rows * dh); // [T, B, D*H]
        ReadOnlySpan<float> h0 = ws.InitialState.AsSpan(pass.StateAt, batch * h); // [B, H]

        // a_t = x_t W_F^T + (b_ih + b_hh) for every step at once, written into this direction's columns of y; the
        // bias is added to each block of the product by the thread that computed it.
        ElmanCell.BiasForProjection(model.View(weights.BiasIh), model.View(weights.BiasHh), ws.BiasSum);
        BiasEpilogue bias = ws.Bias.Target(new Memory2D<float>(ws.LayerOutputs[layer], column, pass.Rows, h, dh - h), ws.BiasSum);
        Gemm.Compute(Transpose.No, Transpose.Yes, pass.Rows, h, pass.InputWidth, 1f, pass.Input(ws), pass.InputWidth, model.View(weights.WeightIh),
            pass.InputWidth, 0f, y[column..], dh, ws.Pool, bias);

        // The T step products share B = W_R^T: it is packed once for all of them.
        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        PackedMatrix packed = ws.PackedRecurrent;
        packed.Pack(Transpose.Yes, h, h, recurrent, h, ws.Pool);

        for (int s = 0; s < steps; s++)
        {
            int t = pass.StepAt(s), previous = pass.StepAt(s - 1);
            ReadOnlySpan<float> hPrev = s == 0 ? h0 : y[((previous * batch * dh) + column)..];
            int ldPrev = s == 0 ? h : dh;
            Span<float> current = y[((t * batch * dh) + column)..];

            // a_t += h_{t-1} W_R^T. When every entry runs at t, h_t = f(a_t) is fused onto the product: each thread
            // activates the block it has just computed, while it is in its cache.
            StepActivationEpilogue? activate = ws.AllActive[t]
                ? ws.StepActivationEpilogue.Target(new Memory2D<float>(ws.LayerOutputs[layer], (t * batch * dh) + column, batch, h, dh - h))
                : null;
            LayerProducts.Step(ws, packed, recurrent, Transpose.Yes, ws.ActiveRows[t], h, h, hPrev, ldPrev, 1f, current, dh, activate);
            if (activate is null)
            {
                ActivateRaggedStep(model.Shape.Nonlinearity, ws, pass, t, hPrev, ldPrev, current);
            }
        }

        // h_n: forward ends at t = T-1 (finished entries carried their last state there), reverse ends at t = 0.
        LayerProducts.StoreFinalState(ws, pass);
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
        LayerPass pass = new(model.Shape, layer, direction, steps, batch);
        int h = pass.Hidden;
        RecurrentTensors weights = model.Layout.Recurrent(layer, direction);
        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        Span<float> carried = ws.CarriedGradient.AsSpan(0, batch * h); // dE/dh_{t-1} carried back [B, H]
        LayerProducts.StartCarry(ws.HasFinalStateGradient, ws.FinalStateGradient, pass, carried);

        // The T step products share B = W_R: packed once for all of them (or read in place, see RnnWorkspace).
        PackedMatrix? packed = ws.PacksBackwardRecurrent ? ws.PackedRecurrent : null;
        packed?.Pack(Transpose.No, h, h, recurrent, h, ws.Pool);

        bool ready = false; // dA_t was already finished by the epilogue of the previous step's product.
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = pass.StepAt(s);
            if (ws.AllActive[t] && pass.OutputWidth == h)
            {
                ready = BackwardFullStep(model.Shape.Nonlinearity, ws, pass, packed, recurrent, s, ready);
            }
            else
            {
                BackwardRaggedStep(model.Shape.Nonlinearity, ws, pass, packed, recurrent, t);
                ready = false;
            }
        }

        carried.CopyTo(ws.InitialStateGradient.AsSpan(pass.StateAt, batch * h));
        AccumulateWeightGradients(ws, gradients, weights, pass);

        if (!inputGradient.IsEmpty)
        {
            // dX += dA W_F: the gradient the layer below (or the caller) receives.
            Gemm.Compute(Transpose.No, Transpose.No, pass.Rows, pass.InputWidth, h, 1f, ws.PreActivationGradient.AsSpan(0, pass.Rows * h), h,
                model.View(weights.WeightIh), pass.InputWidth, overwriteInputGradient ? 0f : 1f, inputGradient, pass.InputWidth, ws.Pool);
        }
    }

    /// <summary>
    /// A step where some entries have finished: h_t = f(a_t) for running entries, h_t = h_{t-1} for finished ones.
    /// </summary>
    private static void ActivateRaggedStep(
        Nonlinearity nonlinearity, RnnWorkspace ws, LayerPass pass, int t, ReadOnlySpan<float> hPrev, int ldPrev, Span<float> current)
    {
        int h = pass.Hidden;
        for (int b = 0; b < pass.Batch; b++)
        {
            Span<float> row = current.Slice(b * pass.OutputWidth, h);
            if (t < ws.Lengths[b])
            {
                new ElmanCell(nonlinearity).Forward(row, row);
            }
            else
            {
                ElmanCell.Carry(hPrev.Slice(b * ldPrev, h), row);
            }
        }
    }

    /// <summary>
    /// A step where every entry runs, in a unidirectional layer: dA_t = (dH_t + dA_{t+1} W_R) * f'(h_t) for the whole
    /// step at once (unless the previous product's epilogue already did it), then the product that carries the
    /// gradient on; when the step processed next is a full one too, its dA is finished on each block of that product
    /// by the thread that computed it. Returns whether it was.
    /// </summary>
    private static bool BackwardFullStep(
        Nonlinearity nonlinearity, RnnWorkspace ws, LayerPass pass, PackedMatrix? packed, ReadOnlySpan<float> recurrent, int s, bool ready)
    {
        int h = pass.Hidden, batch = pass.Batch, t = pass.StepAt(s);
        Span<float> dAt = ws.PreActivationGradient.AsSpan(t * batch * h, batch * h); // [B, H]
        Span<float> carried = ws.CarriedGradient.AsSpan(0, batch * h);
        if (!ready)
        {
            Elementwise.Add(ws.LayerOutputGradients[pass.Layer].AsSpan(t * batch * h, batch * h), carried, dAt);
            new ElmanCell(nonlinearity).Backward(ws.LayerOutputs[pass.Layer].AsSpan(t * batch * h, batch * h), dAt);
        }

        int next = pass.StepAt(s - 1);
        bool finishNext = s > 0 && ws.AllActive[next];
        StepGradientEpilogue? finish = finishNext
            ? ws.StepGradientEpilogue.Target(
                new Memory2D<float>(ws.CarriedGradient, 0, batch, h, 0),
                new Memory2D<float>(ws.LayerOutputGradients[pass.Layer], next * batch * h, batch, h, 0),
                new Memory2D<float>(ws.LayerOutputs[pass.Layer], next * batch * h, batch, h, 0),
                new Memory2D<float>(ws.PreActivationGradient, next * batch * h, batch, h, 0))
            : null;
        LayerProducts.Step(ws, packed, recurrent, Transpose.No, batch, h, h, dAt, h, 0f, carried, h, finish);
        return finishNext;
    }

    /// <summary>
    /// A step where some entries have finished (or a bidirectional layer, whose rows are strided): dA per entry; a
    /// finished entry's state was copied through the step, so its gradient passes through unchanged, kept aside while
    /// the product overwrites the rows it shares with running entries.
    /// </summary>
    private static void BackwardRaggedStep(
        Nonlinearity nonlinearity, RnnWorkspace ws, LayerPass pass, PackedMatrix? packed, ReadOnlySpan<float> recurrent, int t)
    {
        int h = pass.Hidden, dh = pass.OutputWidth, batch = pass.Batch, active = ws.ActiveRows[t];
        Span<float> dAt = ws.PreActivationGradient.AsSpan(t * batch * h, batch * h); // [B, H]
        Span<float> carried = ws.CarriedGradient.AsSpan(0, batch * h);
        ReadOnlySpan<float> dy = ws.LayerOutputGradients[pass.Layer], y = ws.LayerOutputs[pass.Layer]; // [T, B, D*H]
        for (int b = 0; b < batch; b++)
        {
            Span<float> dAb = dAt.Slice(b * h, h);
            Span<float> carriedB = carried.Slice(b * h, h);
            int at = (((t * batch) + b) * dh) + pass.Column;
            Elementwise.Add(dy.Slice(at, h), carriedB, dAb);
            if (t < ws.Lengths[b])
            {
                new ElmanCell(nonlinearity).Backward(y.Slice(at, h), dAb);
            }
            else
            {
                dAb.CopyTo(b < active ? ws.SavedCarry.AsSpan(b * h, h) : carriedB);
                dAb.Clear();
            }
        }

        LayerProducts.Step(ws, packed, recurrent, Transpose.No, active, h, h, dAt, h, 0f, carried, h, null);
        for (int b = 0; b < active; b++)
        {
            if (t >= ws.Lengths[b])
            {
                ws.SavedCarry.AsSpan(b * h, h).CopyTo(carried.Slice(b * h, h));
            }
        }
    }

    private static void AccumulateWeightGradients(RnnWorkspace ws, float[] gradients, RecurrentTensors weights, LayerPass pass)
    {
        long smaller = (long)pass.Hidden * Math.Min(pass.Hidden, pass.InputWidth) * (pass.Steps - 1) * pass.Batch;
        if (ProductPairs.PoolFor(ws.Pool, smaller) is { } pool)
        {
            // dW_R and dW_F are two independent products of about the same size: one whole product per thread beats
            // splitting each in two, where both threads would pack all of dA^T. A product's bits do not depend on how
            // it is split, so this matches any other thread count.
            pool.Run(ws.WeightGradients.Target(gradients, weights, pass), 2);
        }
        else
        {
            RecurrentWeightGradient(ws, gradients, weights, pass, ws.Pool);
            BiasGradients(ws, gradients, weights, pass);
            InputWeightGradient(ws, gradients, weights, pass, ws.Pool);
        }
    }

    /// <summary>b_ih and b_hh enter a_t identically, so both receive the column sums of dA.</summary>
    internal static void BiasGradients(RnnWorkspace ws, float[] gradients, RecurrentTensors weights, LayerPass pass)
    {
        int h = pass.Hidden;
        Reductions.ColumnSums(ws.PreActivationGradient.AsSpan(0, pass.Rows * h), pass.Rows, h, ws.BiasGradient.AsSpan(0, h), accumulate: false);
        Elementwise.Axpy(1f, ws.BiasGradient.AsSpan(0, h), gradients.AsSpan(weights.BiasIh.Offset, h));
        Elementwise.Axpy(1f, ws.BiasGradient.AsSpan(0, h), gradients.AsSpan(weights.BiasHh.Offset, h));
    }

    /// <summary>dW_R += sum_t dA_t^T h_{t-1} from the Elman pass's dA.</summary>
    internal static void RecurrentWeightGradient(RnnWorkspace ws, float[] gradients, RecurrentTensors weights, LayerPass pass, WorkerPool? pool) =>
        LayerProducts.RecurrentWeightGradient(ws, ws.PreActivationGradient.AsSpan(0, pass.Rows * pass.Hidden), pass.Hidden,
            gradients.AsSpan(weights.WeightHh.Offset, weights.WeightHh.Length), pass, pool);

    /// <summary>dW_F += dA^T X over all steps.</summary>
    internal static void InputWeightGradient(RnnWorkspace ws, float[] gradients, RecurrentTensors weights, LayerPass pass, WorkerPool? pool)
    {
        int h = pass.Hidden, width = pass.InputWidth;
        Gemm.Compute(Transpose.Yes, Transpose.No, h, width, pass.Rows, 1f, ws.PreActivationGradient.AsSpan(0, pass.Rows * h), h, pass.Input(ws), width, 1f,
            gradients.AsSpan(weights.WeightIh.Offset, weights.WeightIh.Length), width, pool);
    }
}

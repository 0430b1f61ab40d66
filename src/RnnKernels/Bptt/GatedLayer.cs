using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Forward and backward of one LSTM or GRU layer in one direction, with the engine's structure: the input projection
/// of all G gates for all steps is one GEMM before the loop; each step is one product h_{t-1} W_R^T [B, G*H] against
/// W_R packed once per pass, with the cell update fused onto its blocks; backward runs the cell's gradient per step and
/// one product dA_t W_R, and every weight gradient (dW_R, dW_F, both biases) and dX as GEMMs over all steps after it.
/// </summary>
/// <remarks>
/// Variable lengths as in the Elman pass: an entry past its length carries h and c unchanged, its gradient passes
/// through unchanged, and rows at and beyond the step's active count are not multiplied at all. Written once for
/// every gated cell: <typeparamref name="TCell"/> says where the biases go and how a row updates.
/// </remarks>
internal static class GatedLayer<TCell>
    where TCell : struct, IGatedCell
{
    /// <summary>Runs layer <paramref name="layer"/>, direction <paramref name="direction"/> over all steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(RnnModel model, RnnWorkspace ws, int layer, int direction, int steps, int batch)
    {
        LayerPass pass = new(model.Shape, layer, direction, steps, batch);
        GatedWorkspace g = ws.Gated!;
        int h = pass.Hidden, gh = pass.GateRows, dh = pass.OutputWidth, column = pass.Column;
        RecurrentTensors weights = model.Layout.Recurrent(layer, direction);
        float[] gates = g.Gates[pass.Index], cells = g.Cells[pass.Index], y = ws.LayerOutputs[layer];
        ReadOnlySpan<float> x = pass.Input(ws);

        // P = X W_F^T + the projection's bias for all gates and steps.
        GatedBias.ForProjection<TCell>(model.View(weights.BiasIh), model.View(weights.BiasHh), ws.BiasSum.AsSpan(0, gh));

        BiasEpilogue biasEpilogue = ws.Bias.Target(new Memory2D<float>(gates, pass.Rows, gh), ws.BiasSum.AsMemory(0, gh));
        Gemm.Compute(Transpose.No, Transpose.Yes, pass.Rows, gh, pass.InputWidth, 1f, x, pass.InputWidth, model.View(weights.WeightIh), pass.InputWidth,
            0f, gates.AsSpan(0, pass.Rows * gh), gh, ws.Pool, biasEpilogue);

        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        var epilogue = (GatedStepEpilogue<TCell>)g.Step;
        PackedMatrix packed = g.PackedForward;
        packed.Pack(Transpose.Yes, h, gh, recurrent, h, ws.Pool);
        for (int s = 0; s < steps; s++)
        {
            int t = pass.StepAt(s), previous = pass.StepAt(s - 1);
            int active = ws.ActiveRows[t];
            bool first = s == 0;
            Span<float> products = g.StepProducts.AsSpan(0, batch * gh);
            float beta = 0f;
            if (TCell.BiasOnStepProduct)
            {
                Elementwise.BroadcastRows(model.View(weights.BiasHh), [], active, products, gh);
                beta = 1f;
            }

            GatedStepEpilogue<TCell> step = epilogue.Target(
                t, ws.Lengths, gates, t * batch * gh, g.StepProducts,
                first ? ws.InitialState : y, first ? pass.StateAt : (previous * batch * dh) + column, first ? h : dh,
                first ? g.InitialCellState : cells, first ? pass.StateAt : previous * batch * h, cells, t * batch * h, y, (t * batch * dh) + column, dh);
            if (active > 0)
            {
                ReadOnlySpan<float> hPrev = first ? ws.InitialState.AsSpan(pass.StateAt) : y.AsSpan((previous * batch * dh) + column);
                LayerProducts.Step(ws, packed, recurrent, Transpose.Yes, active, h, gh, hPrev, first ? h : dh, beta, products, gh, step);
            }

            step.Finish(active, batch);
        }

        // h_n and c_n: forward ends at t = T-1 (finished entries carried their last state there), reverse at t = 0.
        LayerProducts.StoreFinalState(ws, pass);
        if (TCell.HasCellState)
        {
            int last = pass.StepAt(steps - 1);
            cells.AsSpan(last * batch * h, batch * h).CopyTo(g.FinalCellState.AsSpan(pass.StateAt, batch * h));
        }
    }

    /// <summary>
    /// Back-propagates dE/dh (in <see cref="RnnWorkspace.LayerOutputGradients"/>) through this layer and direction,
    /// accumulating into <paramref name="gradients"/>, writing dE/dh_0 (and dE/dc_0), and adding dE/dx into
    /// <paramref name="inputGradient"/> when it is not empty (overwriting it when <paramref name="overwriteInputGradient"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(
        RnnModel model, RnnWorkspace ws, float[] gradients, int layer, int direction, int steps, int batch,
        Span<float> inputGradient, bool overwriteInputGradient)
    {
        LayerPass pass = new(model.Shape, layer, direction, steps, batch);
        GatedWorkspace g = ws.Gated!;
        int h = pass.Hidden, gh = pass.GateRows, dh = pass.OutputWidth, column = pass.Column;
        RecurrentTensors weights = model.Layout.Recurrent(layer, direction);
        float[] gates = g.Gates[pass.Index], cells = g.Cells[pass.Index], y = ws.LayerOutputs[layer];
        float[] dy = ws.LayerOutputGradients[layer];
        Span<float> dA = g.GateGradient.AsSpan(0, pass.Rows * gh);
        Span<float> carried = ws.CarriedGradient.AsSpan(0, batch * h);
        Span<float> carriedCell = g.CarriedCell.AsSpan(0, batch * h);
        LayerProducts.StartCarry(ws.HasFinalStateGradient, ws.FinalStateGradient, pass, carried);
        LayerProducts.StartCarry(ws.HasFinalCellStateGradient, ws.FinalCellStateGradient, pass, carriedCell);

        ReadOnlySpan<float> recurrent = model.View(weights.WeightHh);
        PackedMatrix? packed = g.PackedBackward;
        packed?.Pack(Transpose.No, gh, h, recurrent, h, ws.Pool);
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = pass.StepAt(s), previous = pass.StepAt(s - 1);
            bool first = s == 0;
            for (int b = 0; b < batch; b++)
            {
                Span<float> dhRow = carried.Slice(b * h, h);
                Elementwise.Add(dy.AsSpan((((t * batch) + b) * dh) + column, h), dhRow, dhRow);
                Span<float> dARow = dA.Slice(((t * batch) + b) * gh, gh);
                if (t >= ws.Lengths[b])
                {
                    // The state was carried through this step unchanged: so is its gradient, and no gate saw it.
                    dARow.Clear();
                    if (TCell.SeparateInputGate)
                    {
                        g.InputGateGradient.AsSpan(((t * batch) + b) * h, h).Clear();
                    }

                    continue;
                }

                ReadOnlySpan<float> hPrev = first ? ws.InitialState.AsSpan(pass.StateAt + (b * h), h) : y.AsSpan((((previous * batch) + b) * dh) + column, h);
                ReadOnlySpan<float> cPrev = !TCell.HasCellState ? default
                    : first ? g.InitialCellState.AsSpan(pass.StateAt + (b * h), h) : cells.AsSpan(((previous * batch) + b) * h, h);
                TCell.Backward(gates.AsSpan(((t * batch) + b) * gh, gh), cells.AsSpan(((t * batch) + b) * h, h), hPrev, cPrev, dhRow,
                    TCell.HasCellState ? carriedCell.Slice(b * h, h) : default, dARow,
                    TCell.SeparateInputGate ? g.InputGateGradient.AsSpan(((t * batch) + b) * h, h) : default);
            }

            // dE/dh_{t-1} = (the direct part left in carried) + dA_t W_R; finished rows have dA = 0 and keep theirs.
            int active = ws.ActiveRows[t];
            if (active > 0)
            {
                LayerProducts.Step(ws, packed, recurrent, Transpose.No, active, gh, h, dA.Slice(t * batch * gh), gh, 1f, carried, h, null);
            }
        }

        carried.CopyTo(ws.InitialStateGradient.AsSpan(pass.StateAt, batch * h));
        if (TCell.HasCellState)
        {
            carriedCell.CopyTo(g.InitialCellStateGradient.AsSpan(pass.StateAt, batch * h));
        }

        WeightGradients(model, ws, gradients, weights, pass);
        if (!inputGradient.IsEmpty)
        {
            InputGradient(model, ws, weights, pass, inputGradient, overwriteInputGradient);
        }
    }

    /// <summary>
    /// dW_R += sum_t dA_t^T h_{t-1}, dW_F += dA_in^T X, b_hh += column sums of dA, b_ih += those of dA_in, where dA_in is
    /// dA except the GRU's n block, whose input-side gradient differs (it lacks the factor r).
    /// </summary>
    private static void WeightGradients(RnnModel model, RnnWorkspace ws, float[] gradients, RecurrentTensors weights, LayerPass pass)
    {
        GatedWorkspace g = ws.Gated!;
        int h = pass.Hidden, gh = pass.GateRows, width = pass.InputWidth, rows = pass.Rows;
        ReadOnlySpan<float> dA = g.GateGradient.AsSpan(0, rows * gh); // [T, B, G*H]
        LayerProducts.RecurrentWeightGradient(ws, dA, gh, gradients.AsSpan(weights.WeightHh.Offset, weights.WeightHh.Length), pass, ws.Pool);

        Span<float> sums = ws.BiasSum.AsSpan(0, gh);
        Reductions.ColumnSums(dA, rows, gh, sums, accumulate: false);
        Elementwise.Axpy(1f, sums, gradients.AsSpan(weights.BiasHh.Offset, gh));

        ReadOnlySpan<float> x = pass.Input(ws);
        Span<float> dWih = gradients.AsSpan(weights.WeightIh.Offset, weights.WeightIh.Length);
        int direct = TCell.SeparateInputGate ? gh - h : gh; // Rows whose input-side gradient is dA's own.
        Gemm.Compute(Transpose.Yes, Transpose.No, direct, width, rows, 1f, dA, gh, x, width, 1f, dWih, width, ws.Pool);
        if (direct < gh)
        {
            // The separate gate (the GRU's n): its input-side gradient [T*B, H] feeds its rows of W_F and b_ih.
            ReadOnlySpan<float> dAn = g.InputGateGradient.AsSpan(0, rows * h);
            Gemm.Compute(Transpose.Yes, Transpose.No, h, width, rows, 1f, dAn, h, x, width, 1f, dWih[(direct * width)..], width, ws.Pool);
            Reductions.ColumnSums(dAn, rows, h, sums[direct..], accumulate: false);
        }

        Elementwise.Axpy(1f, sums, gradients.AsSpan(weights.BiasIh.Offset, gh));
    }

    /// <summary>dX (+)= dA_in W_F: the gradient the layer below (or the caller) receives.</summary>
    private static void InputGradient(
        RnnModel model, RnnWorkspace ws, RecurrentTensors weights, LayerPass pass, Span<float> inputGradient, bool overwrite)
    {
        GatedWorkspace g = ws.Gated!;
        int h = pass.Hidden, gh = pass.GateRows, width = pass.InputWidth, rows = pass.Rows;
        ReadOnlySpan<float> dA = g.GateGradient.AsSpan(0, rows * gh);
        ReadOnlySpan<float> wih = model.View(weights.WeightIh);
        int direct = TCell.SeparateInputGate ? gh - h : gh;
        Gemm.Compute(Transpose.No, Transpose.No, rows, width, direct, 1f, dA, gh, wih, width, overwrite ? 0f : 1f, inputGradient, width, ws.Pool);
        if (direct < gh)
        {
            Gemm.Compute(Transpose.No, Transpose.No, rows, width, h, 1f, g.InputGateGradient.AsSpan(0, rows * h), h, wih[(direct * width)..], width,
                1f, inputGradient, width, ws.Pool);
        }
    }
}

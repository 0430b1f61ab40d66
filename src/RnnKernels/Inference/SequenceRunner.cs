using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Forward inference over whole sequences with the engine's structure and none of its training buffers: per layer and
/// direction the input projection of all T steps is one GEMM, the recurrence runs one product per step against W_R
/// packed once per snapshot with the cell update fused onto its blocks, and the output layer is one GEMM over all steps.
/// It keeps one [T, B, G*H] projection buffer shared by every pass and two [T, B, D*H] layer outputs (the layer being
/// computed and the one below it), grown to the longest T seen, so a call of a length seen before allocates nothing.
/// </summary>
/// <remarks>
/// The same products and cell updates in the same order as <see cref="RnnEngine.Forward"/>, so the outputs, h_n and
/// c_n equal the engine's. Ragged lengths follow PyTorch's packed sequences: an entry past its length carries its
/// state, and rows at and beyond a step's last running entry are not multiplied at all.
/// </remarks>
internal sealed class SequenceRunner
{
    private readonly RnnShape _shape;
    private readonly WorkerPool? _pool;
    private readonly int[] _lengths;
    private readonly float[] _biasSum;
    private readonly float[] _products;
    private readonly float[] _recurrentN;
    private readonly BiasEpilogue _bias = new();
    private readonly StepActivationEpilogue _activate;
    private readonly IGemmEpilogue? _gated;
    private float[] _projections = [];
    private float[][] _layerOutputs = [[], []];
    private int[] _activeRows = [];
    private bool[] _allActive = [];

    public SequenceRunner(RnnShape shape, int batch, WorkerPool? pool)
    {
        (_shape, _pool) = (shape, pool);
        _lengths = new int[batch];
        _biasSum = new float[shape.GateRows];
        _products = new float[shape.Cell == CellKind.Rnn ? 0 : batch * shape.GateRows];
        _recurrentN = new float[shape.Cell == CellKind.Gru ? batch * shape.HiddenSize : 0];
        _activate = new StepActivationEpilogue(new ElmanCell(shape.Nonlinearity));
        _gated = shape.Cell switch
        {
            CellKind.Lstm => new GatedStepEpilogue<LstmCell>(shape.HiddenSize),
            CellKind.Gru => new GatedStepEpilogue<GruCell>(shape.HiddenSize),
            _ => null,
        };
    }

    /// <summary>Bytes of the buffers held now (they grow with the longest sequence run).</summary>
    public long Bytes => sizeof(float) * ((long)_projections.Length + _layerOutputs[0].Length + _layerOutputs[1].Length + _biasSum.Length
        + _products.Length + _recurrentN.Length) + (sizeof(int) * ((long)_lengths.Length + _activeRows.Length)) + _allActive.Length;

    /// <summary>
    /// Runs T steps of B entries from <paramref name="state"/> (h [L*D, B, H]) and <paramref name="cellState"/> (c of an
    /// LSTM), which receive h_n and c_n, and writes the network's outputs [T, B, O] (or [T, B, D*H] with zeros at padding
    /// steps without an output layer). Arguments are checked by the caller.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(
        ReadOnlySpan<float> weights, ParameterLayout layout, PackedMatrix[] recurrent, ReadOnlySpan<float> inputs, int steps,
        ReadOnlySpan<int> lengths, float[] state, float[] cellState, Span<float> outputs)
    {
        int batch = _lengths.Length, rows = steps * batch, dh = _shape.LayerOutputSize;
        Grow(steps);
        SetLengths(lengths, steps);
        ReadOnlySpan<float> x = inputs;
        float[] y = _layerOutputs[0];
        for (int layer = 0; layer < _shape.Layers; layer++)
        {
            y = _layerOutputs[layer % 2];
            for (int direction = 0; direction < _shape.Directions; direction++)
            {
                var pass = new LayerPass(_shape, layer, direction, steps, batch);
                RecurrentTensors w = layout.Recurrent(layer, direction);
                PackedMatrix packed = recurrent[pass.Index];
                switch (_shape.Cell)
                {
                    case CellKind.Lstm:
                        GatedPass<LstmCell>(weights, w, packed, pass, x, y, state, cellState);
                        break;
                    case CellKind.Gru:
                        GatedPass<GruCell>(weights, w, packed, pass, x, y, state, cellState);
                        break;
                    default:
                        ElmanPass(weights, w, packed, pass, x, y, state);
                        break;
                }
            }

            x = y.AsSpan(0, rows * dh);
        }

        if (layout.OutputWeight is { } outputWeight)
        {
            OutputLayerProduct(weights, outputWeight, layout.OutputBias!, x, rows, outputs);
        }
        else
        {
            x.CopyTo(outputs);
            StepActivity.ClearPadding(_lengths, _allActive, steps, outputs, dh);
        }
    }

    /// <summary>
    /// o = H W_o^T + b_o into the caller's span: the bias goes in first and the product adds onto it (the engine adds
    /// it after the product, the same sum in another order: equal for D*H up to one k block, within rounding beyond).
    /// </summary>
    private void OutputLayerProduct(ReadOnlySpan<float> weights, ParameterTensor weight, ParameterTensor bias, ReadOnlySpan<float> top, int rows, Span<float> outputs)
    {
        int o = _shape.OutputSize, dh = _shape.LayerOutputSize;
        Elementwise.BroadcastRows(weights.Slice(bias.Offset, o), [], rows, outputs, o);
        Gemm.Compute(Transpose.No, Transpose.Yes, rows, o, dh, 1f, top, dh, weights.Slice(weight.Offset, weight.Length), dh, 1f, outputs, o, _pool);
    }

    /// <summary>h_t = f(x_t W_F^T + b_ih + b_hh + h_{t-1} W_R^T), written into this direction's columns of y.</summary>
    private void ElmanPass(ReadOnlySpan<float> weights, RecurrentTensors w, PackedMatrix packed, LayerPass pass, ReadOnlySpan<float> x, float[] y, float[] state)
    {
        int h = pass.Hidden, dh = pass.OutputWidth, column = pass.Column, batch = pass.Batch;
        ElmanCell.BiasForProjection(weights.Slice(w.BiasIh.Offset, h), weights.Slice(w.BiasHh.Offset, h), _biasSum);
        BiasEpilogue bias = _bias.Target(new Memory2D<float>(y, column, pass.Rows, h, dh - h), _biasSum);
        Gemm.Compute(Transpose.No, Transpose.Yes, pass.Rows, h, pass.InputWidth, 1f, x, pass.InputWidth, weights.Slice(w.WeightIh.Offset, w.WeightIh.Length),
            pass.InputWidth, 0f, y.AsSpan(column, (pass.Rows * dh) - column), dh, _pool, bias);
        for (int s = 0; s < pass.Steps; s++)
        {
            int t = pass.StepAt(s), previous = pass.StepAt(s - 1);
            ReadOnlySpan<float> hPrev = s == 0 ? state.AsSpan(pass.StateAt, batch * h) : y.AsSpan((previous * batch * dh) + column);
            int ldPrev = s == 0 ? h : dh;
            Span<float> current = y.AsSpan((t * batch * dh) + column);
            StepActivationEpilogue? activate = _allActive[t]
                ? _activate.Target(new Memory2D<float>(y, (t * batch * dh) + column, batch, h, dh - h))
                : null;
            Gemm.Compute(Transpose.No, _activeRows[t], 1f, hPrev, ldPrev, packed, 1f, current, dh, _pool, activate);
            for (int b = 0; b < batch && activate is null; b++)
            {
                Span<float> row = current.Slice(b * dh, h);
                if (t < _lengths[b])
                {
                    new ElmanCell(_shape.Nonlinearity).Forward(row, row);
                }
                else
                {
                    ElmanCell.Carry(hPrev.Slice(b * ldPrev, h), row);
                }
            }
        }

        StoreFinalState(pass, y, state);
    }

    /// <summary>A gated pass: all steps' input projections, then per step the product and the fused cell update.</summary>
    private void GatedPass<TCell>(
        ReadOnlySpan<float> weights, RecurrentTensors w, PackedMatrix packed, LayerPass pass, ReadOnlySpan<float> x, float[] y, float[] state, float[] cellState)
        where TCell : struct, IGatedCell
    {
        int h = pass.Hidden, gh = pass.GateRows, dh = pass.OutputWidth, column = pass.Column, batch = pass.Batch;
        GatedBias.ForProjection<TCell>(weights.Slice(w.BiasIh.Offset, gh), weights.Slice(w.BiasHh.Offset, gh), _biasSum);

        BiasEpilogue bias = _bias.Target(new Memory2D<float>(_projections, pass.Rows, gh), _biasSum.AsMemory(0, gh));
        Gemm.Compute(Transpose.No, Transpose.Yes, pass.Rows, gh, pass.InputWidth, 1f, x, pass.InputWidth, weights.Slice(w.WeightIh.Offset, w.WeightIh.Length),
            pass.InputWidth, 0f, _projections.AsSpan(0, pass.Rows * gh), gh, _pool, bias);
        var gated = (GatedStepEpilogue<TCell>)_gated!;
        for (int s = 0; s < pass.Steps; s++)
        {
            int t = pass.StepAt(s), previous = pass.StepAt(s - 1), active = _activeRows[t];
            bool first = s == 0;
            float beta = 0f;
            if (TCell.BiasOnStepProduct)
            {
                Elementwise.BroadcastRows(weights.Slice(w.BiasHh.Offset, gh), [], active, _products, gh);
                beta = 1f;
            }

            // A cell state lives in the state buffer and is updated in place (c_t may alias c_{t-1}); without one the
            // cell row (the GRU's W_Rn h + b_hn, which only backward needs) goes to scratch.
            float[] cells = TCell.HasCellState ? cellState : _recurrentN;
            int cellsAt = TCell.HasCellState ? pass.StateAt : 0;
            GatedStepEpilogue<TCell> step = gated.Target(
                t, _lengths, _projections, t * batch * gh, _products,
                first ? state : y, first ? pass.StateAt : (previous * batch * dh) + column, first ? h : dh,
                cells, cellsAt, cells, cellsAt, y, (t * batch * dh) + column, dh);
            if (active > 0)
            {
                ReadOnlySpan<float> hPrev = first ? state.AsSpan(pass.StateAt) : y.AsSpan((previous * batch * dh) + column);
                Gemm.Compute(Transpose.No, active, 1f, hPrev, first ? h : dh, packed, beta, _products, gh, _pool, step);
            }

            step.Finish(active, batch);
        }

        StoreFinalState(pass, y, state);
    }

    /// <summary>h_n: each entry's row at the pass's last step (finished entries carried their state there).</summary>
    private static void StoreFinalState(LayerPass pass, float[] y, float[] state)
    {
        int h = pass.Hidden, dh = pass.OutputWidth, last = pass.StepAt(pass.Steps - 1);
        for (int b = 0; b < pass.Batch; b++)
        {
            y.AsSpan((((last * pass.Batch) + b) * dh) + pass.Column, h).CopyTo(state.AsSpan(pass.StateAt + (b * h), h));
        }
    }

    private void Grow(int steps)
    {
        if (steps <= _activeRows.Length)
        {
            return;
        }

        int rows = checked(steps * _lengths.Length);
        _projections = _shape.Cell == CellKind.Rnn ? [] : new float[checked(rows * _shape.GateRows)];
        _layerOutputs = [new float[checked(rows * _shape.LayerOutputSize)], _shape.Layers > 1 ? new float[checked(rows * _shape.LayerOutputSize)] : []];
        _activeRows = new int[steps];
        _allActive = new bool[steps];
    }

    private void SetLengths(ReadOnlySpan<int> lengths, int steps)
    {
        if (lengths.IsEmpty)
        {
            _lengths.AsSpan().Fill(steps);
        }
        else
        {
            lengths.CopyTo(_lengths);
        }

        StepActivity.Compute(_lengths, steps, _activeRows, _allActive);
    }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// The cell update of one forward step, fused onto the step product R = h_{t-1} W_R^T: a block of R that spans all
/// G*H columns holds every gate of its rows, so the thread that computed it finishes those rows (gates, c_t, h_t)
/// while they are in its cache. The packed product splits by rows, so with a pool that is the common case; a block of
/// some columns only (a column split) leaves its rows to <see cref="Finish"/> after the product.
/// </summary>
/// <remarks>
/// Row by row and elementwise (<typeparamref name="TCell"/>'s update), so the result does not depend on which thread
/// does a row. Entries past their length carry their state through the step unchanged. One per workspace, retargeted
/// per step.
/// </remarks>
internal sealed class GatedStepEpilogue<TCell>(int hidden) : IGemmEpilogue
    where TCell : struct, IGatedCell
{
    private readonly int _gateRows = TCell.Gates * hidden;
    private float[] _gates = [], _products = [], _hPrev = [], _cPrev = [], _cells = [], _output = [];
    private int[] _lengths = [];
    private int _t, _gatesAt, _hPrevAt, _hPrevLd, _cPrevAt, _cellsAt, _outputAt, _outputLd;
    private volatile bool _partial;

    /// <summary>
    /// Points the epilogue at step t: gates [B, G*H] at gatesAt, products [B, G*H], h_{t-1} rows at hPrevAt with stride
    /// hPrevLd, c_{t-1} rows [B, H] at cPrevAt (LSTM), the step's cell rows [B, H] at cellsAt (c_t, or the GRU's
    /// W_Rn h + b_hn), and h_t rows at outputAt with stride outputLd.
    /// </summary>
    public GatedStepEpilogue<TCell> Target(
        int t, int[] lengths, float[] gates, int gatesAt, float[] products, float[] hPrev, int hPrevAt, int hPrevLd,
        float[] cPrev, int cPrevAt, float[] cells, int cellsAt, float[] output, int outputAt, int outputLd)
    {
        (_t, _lengths, _gates, _gatesAt, _products) = (t, lengths, gates, gatesAt, products);
        (_hPrev, _hPrevAt, _hPrevLd, _cPrev, _cPrevAt) = (hPrev, hPrevAt, hPrevLd, cPrev, cPrevAt);
        (_cells, _cellsAt, _output, _outputAt, _outputLd) = (cells, cellsAt, output, outputAt, outputLd);
        _partial = false;
        return this;
    }

    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        if (columnCount != _gateRows)
        {
            _partial = true;
            return;
        }

        for (int b = rowStart; b < rowStart + rowCount; b++)
        {
            Row(b);
        }
    }

    /// <summary>Updates the rows the product's blocks did not: all of [0, active) after a column split, and [active, batch).</summary>
    public void Finish(int active, int batch)
    {
        for (int b = _partial ? 0 : active; b < batch; b++)
        {
            Row(b);
        }
    }

    private void Row(int b)
    {
        int h = hidden;
        ReadOnlySpan<float> hPrev = _hPrev.AsSpan(_hPrevAt + (b * _hPrevLd), h);
        Span<float> hOut = _output.AsSpan(_outputAt + (b * _outputLd), h);
        Span<float> cells = _cells.AsSpan(_cellsAt + (b * h), h);
        ReadOnlySpan<float> cPrev = TCell.HasCellState ? _cPrev.AsSpan(_cPrevAt + (b * h), h) : default;
        if (_t >= _lengths[b])
        {
            TCell.Carry(hPrev, hOut, cPrev, cells);
            return;
        }

        TCell.Forward(_gates.AsSpan(_gatesAt + (b * _gateRows), _gateRows), _products.AsSpan(b * _gateRows, _gateRows), hPrev, cPrev, cells, hOut);
    }
}

using CommunityToolkit.HighPerformance;
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
    private Memory2D<float> _gates, _products, _hPrev, _cPrev, _cells, _output;
    private int[] _lengths = [];
    private int _t;
    private volatile bool _partial;

    /// <summary>
    /// Points the epilogue at step t, every target [B, width] rows: the gates [B, G*H] (pre-activations in, activated
    /// gates out), the step products [B, G*H], h_{t-1} [B, H], c_{t-1} [B, H] (an LSTM's; default for a cell without a
    /// cell state), the step's cell rows [B, H] (c_t, or the GRU's W_Rn h + b_hn) and h_t [B, H].
    /// </summary>
    public GatedStepEpilogue<TCell> Target(
        int t, int[] lengths, Memory2D<float> gates, Memory2D<float> products, Memory2D<float> hPrev, Memory2D<float> cPrev, Memory2D<float> cells,
        Memory2D<float> output)
    {
        (_t, _lengths, _gates, _products, _hPrev, _cPrev, _cells, _output) = (t, lengths, gates, products, hPrev, cPrev, cells, output);
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

        Rows(rowStart, rowStart + rowCount);
    }

    /// <summary>Updates the rows the product's blocks did not: all of [0, active) after a column split, and [active, batch).</summary>
    public void Finish(int active, int batch) => Rows(_partial ? 0 : active, batch);

    private void Rows(int start, int end)
    {
        if (start >= end)
        {
            return;
        }

        Span2D<float> gates = _gates.Span, products = _products.Span, hPrev = _hPrev.Span, cPrev = _cPrev.Span, cells = _cells.Span, output = _output.Span;
        for (int b = start; b < end; b++)
        {
            ReadOnlySpan<float> cPrevRow = TCell.HasCellState ? cPrev.GetRowSpan(b) : default;
            if (_t >= _lengths[b])
            {
                TCell.Carry(hPrev.GetRowSpan(b), output.GetRowSpan(b), cPrevRow, cells.GetRowSpan(b));
            }
            else
            {
                TCell.Forward(gates.GetRowSpan(b), products.GetRowSpan(b), hPrev.GetRowSpan(b), cPrevRow, cells.GetRowSpan(b), output.GetRowSpan(b));
            }
        }
    }
}

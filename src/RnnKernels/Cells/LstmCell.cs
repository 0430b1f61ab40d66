using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// nn.LSTM's cell: gates i, f, g, o; c_t = f c_{t-1} + i g, h_t = o tanh(c_t). Both biases go into the input
/// projection; the cell state c is carried with h.
/// </summary>
internal readonly struct LstmCell : IGatedCell
{
    public static CellKind Kind => CellKind.Lstm;

    public static int Gates => 4;

    public static bool BiasOnStepProduct => false;

    public static bool HasCellState => true;

    public static bool SeparateInputGate => false;

    public static void Forward(Span<float> gates, ReadOnlySpan<float> products, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> cells, Span<float> h) =>
        GatedCells.LstmForward(gates, products, cPrev, cells, h);

    public static void Carry(ReadOnlySpan<float> hPrev, Span<float> h, ReadOnlySpan<float> cPrev, Span<float> cells)
    {
        hPrev.CopyTo(h);
        cPrev.CopyTo(cells);
    }

    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc,
        Span<float> dA, Span<float> dAn) =>
        GatedCells.LstmBackward(gates, cells, cPrev, dh, dc, dA);
}

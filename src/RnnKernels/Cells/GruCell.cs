using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// nn.GRU's cell: gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h_t = (1 - z) n + z h_{t-1}. b_ih goes
/// into the input projection and b_hh onto each step's recurrent product (b_hn sits inside r (...)); the n gate's
/// input-side gradient lacks the factor r and is kept apart.
/// </summary>
internal readonly struct GruCell : IGatedCell
{
    public static CellKind Kind => CellKind.Gru;

    public static int Gates => 3;

    public static bool BiasOnStepProduct => true;

    public static bool HasCellState => false;

    public static bool SeparateInputGate => true;

    public static void Forward(Span<float> gates, ReadOnlySpan<float> products, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> cells, Span<float> h) =>
        GatedCells.GruForward(gates, products, hPrev, cells, h);

    public static void Carry(ReadOnlySpan<float> hPrev, Span<float> h, ReadOnlySpan<float> cPrev, Span<float> cells) => hPrev.CopyTo(h);

    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc,
        Span<float> dA, Span<float> dAn) =>
        GatedCells.GruBackward(gates, cells, hPrev, dh, dA, dAn);
}

namespace RnnKernels;

/// <summary>
/// The rules of one gated cell (LSTM, GRU): its gate count and order, where its biases go, its forward and backward
/// row updates, how an entry that finished early carries its state, and its cell state. The layer passes, the fused
/// step epilogue and inference are written once, generic over it (a struct, so the JIT compiles each cell's loops on
/// their own and the members below fold to constants).
/// </summary>
/// <remarks>
/// Rows are one batch entry's G*H gates (PyTorch's gate-major order) and H units. The Elman cell has no gate arithmetic
/// to fuse: its passes (<see cref="RecurrentLayer"/>) apply the nonlinearity to the product's own output instead.
/// </remarks>
internal interface IGatedCell
{
    /// <summary>The cell.</summary>
    static abstract CellKind Kind { get; }

    /// <summary>G: gate blocks of H rows in the weights.</summary>
    static abstract int Gates { get; }

    /// <summary>
    /// Whether b_hh goes onto each step's recurrent product instead of into the input projection with b_ih (the GRU:
    /// its b_hn sits inside r (...), so the two biases cannot be summed).
    /// </summary>
    static abstract bool BiasOnStepProduct { get; }

    /// <summary>Whether the cell carries a second state c (the LSTM).</summary>
    static abstract bool HasCellState { get; }

    /// <summary>
    /// Whether the last gate's input-side pre-activation gradient differs from its recurrent side's (the GRU's n gate, whose
    /// recurrent part is scaled by r): that gate's input-side gradient is kept apart [T, B, H] for dW_F, b_ih and dX.
    /// </summary>
    static abstract bool SeparateInputGate { get; }

    /// <summary>
    /// One entry's forward step: gates [G*H] holds the input projection (with the biases the projection carries) and
    /// receives the activated gates; products [G*H] is h_{t-1} W_R^T (+ b_hh when on the step product); writes h_t and
    /// the cell row (the LSTM's c_t from cPrev, which it may alias; the GRU's W_Rn h_{t-1} + b_hn, which backward needs).
    /// </summary>
    static abstract void Forward(Span<float> gates, ReadOnlySpan<float> products, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> cells, Span<float> h);

    /// <summary>An entry past its length: h (and c) carried through the step unchanged (packed-sequence semantics).</summary>
    static abstract void Carry(ReadOnlySpan<float> hPrev, Span<float> h, ReadOnlySpan<float> cPrev, Span<float> cells);

    /// <summary>
    /// One entry's backward step from dE/dh_t in <paramref name="dh"/> (and the LSTM's dE/dc_t in <paramref name="dc"/>):
    /// writes the recurrent-side pre-activation gradient dA [G*H] (and the GRU's input-side n gradient dAn [H]); leaves
    /// in dh the part of dE/dh_{t-1} that does not pass through W_R, and in dc dE/dc_{t-1}.
    /// </summary>
    static abstract void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc,
        Span<float> dA, Span<float> dAn);
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// One LSTM step for one batch entry, as PyTorch's nn.LSTM: gate blocks i, f, g, o of H each;
/// c_t = f c_{t-1} + i g, h_t = o tanh(c_t). Rows are spans into the workspace; every operation is a kernel call.
/// </summary>
internal static class LstmCell
{
    /// <summary>
    /// gates [4H]: the input projection with both biases, on return the activated gates. recurrent [4H]: h_{t-1} W_R^T,
    /// used as scratch. Writes c_t and h_t.
    /// </summary>
    public static void Forward(Span<float> gates, Span<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
    {
        int n = h.Length;
        Elementwise.Add(gates, recurrent, gates);
        Activations.Sigmoid(gates[..(2 * n)], gates[..(2 * n)]);
        Activations.Tanh(gates.Slice(2 * n, n), gates.Slice(2 * n, n));
        Activations.Sigmoid(gates.Slice(3 * n, n), gates.Slice(3 * n, n));
        ReadOnlySpan<float> i = gates[..n], f = gates.Slice(n, n), g = gates.Slice(2 * n, n), o = gates.Slice(3 * n, n);
        Span<float> scratch = recurrent[..n];
        Elementwise.Multiply(f, cPrev, c);
        Elementwise.Multiply(i, g, scratch);
        Elementwise.Add(c, scratch, c);
        Activations.Tanh(c, scratch);
        Elementwise.Multiply(o, scratch, h);
    }

    /// <summary>
    /// From dE/dh_t (dh, the total) and dE/dc_t carried from t+1 (dc): writes dA [4H], the pre-activation gradient
    /// of the four gates (the same on the input and the recurrent side); leaves in dc dE/dc_{t-1} and in dh the part of
    /// dE/dh_{t-1} that does not go through W_R (none for an LSTM: zero). scratch holds H values.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc, Span<float> dA, Span<float> scratch)
    {
        int n = dh.Length;
        ReadOnlySpan<float> i = gates[..n], f = gates.Slice(n, n), g = gates.Slice(2 * n, n), o = gates.Slice(3 * n, n);
        Span<float> dI = dA[..n], dF = dA.Slice(n, n), dG = dA.Slice(2 * n, n), dO = dA.Slice(3 * n, n);
        Span<float> tanhC = scratch[..n];
        Activations.Tanh(c, tanhC);
        Elementwise.Multiply(dh, tanhC, dO);
        Activations.SigmoidBackward(o, dO, dO);

        // dc += dh o (1 - tanh^2 c), with dF as scratch before it receives its own value.
        Elementwise.Multiply(dh, o, dF);
        Activations.TanhBackward(tanhC, dF, dF);
        Elementwise.Add(dc, dF, dc);

        Elementwise.Multiply(dc, g, dI);
        Activations.SigmoidBackward(i, dI, dI);
        Elementwise.Multiply(dc, i, dG);
        Activations.TanhBackward(g, dG, dG);
        Elementwise.Multiply(dc, cPrev, dF);
        Activations.SigmoidBackward(f, dF, dF);
        Elementwise.Multiply(dc, f, dc);
        dh.Clear();
    }
}

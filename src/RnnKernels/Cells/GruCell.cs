using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// One GRU step for one batch entry, as PyTorch's nn.GRU: gate blocks r, z, n of H each;
/// n = tanh(W_Fn x + b_in + r (W_Rn h_{t-1} + b_hn)), h_t = (1 - z) n + z h_{t-1}. b_hn sits inside r (...), so the
/// recurrent product carries b_hh and the input projection b_ih, never their sum.
/// </summary>
internal static class GruCell
{
    /// <summary>
    /// gates [3H]: the input projection with b_ih, on return the activated r, z, n. recurrent [3H]: h_{t-1} W_R^T + b_hh,
    /// used as scratch. Writes W_Rn h_{t-1} + b_hn to recurrentN (backward needs it) and h_t.
    /// </summary>
    public static void Forward(Span<float> gates, Span<float> recurrent, ReadOnlySpan<float> hPrev, Span<float> recurrentN, Span<float> h)
    {
        int n = h.Length;
        Span<float> rz = gates[..(2 * n)];
        Elementwise.Add(rz, recurrent[..(2 * n)], rz);
        Activations.Sigmoid(rz, rz);
        ReadOnlySpan<float> r = gates[..n], z = gates.Slice(n, n);
        Span<float> newGate = gates.Slice(2 * n, n), scratchA = recurrent[..n], scratchB = recurrent.Slice(n, n);
        recurrent.Slice(2 * n, n).CopyTo(recurrentN);
        Elementwise.Multiply(r, recurrentN, scratchA);
        Elementwise.Add(newGate, scratchA, newGate);
        Activations.Tanh(newGate, newGate);

        // h = (1 - z) n + z h_prev, as n + z (h_prev - n).
        Elementwise.Subtract(hPrev, newGate, scratchB);
        Elementwise.Multiply(z, scratchB, scratchB);
        Elementwise.Add(newGate, scratchB, h);
    }

    /// <summary>
    /// From dE/dh_t (dh, the total): writes dA [3H], the pre-activation gradient on the recurrent side (r, z, and
    /// r times the n gate's), and dAn [H], the n gate's on the input side; leaves in dh the part of dE/dh_{t-1} that
    /// does not go through W_R (dh z). scratch holds H values.
    /// </summary>
    public static void Backward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrentN, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dA, Span<float> dAn,
        Span<float> scratch)
    {
        int n = dh.Length;
        ReadOnlySpan<float> r = gates[..n], z = gates.Slice(n, n), newGate = gates.Slice(2 * n, n);
        Span<float> dR = dA[..n], dZ = dA.Slice(n, n), dN = dA.Slice(2 * n, n), direct = scratch[..n];
        Elementwise.Subtract(hPrev, newGate, dZ);
        Elementwise.Multiply(dh, dZ, dZ);
        Activations.SigmoidBackward(z, dZ, dZ);

        Elementwise.Multiply(dh, z, direct);
        Elementwise.Subtract(dh, direct, dAn);
        Activations.TanhBackward(newGate, dAn, dAn);

        Elementwise.Multiply(dAn, recurrentN, dR);
        Activations.SigmoidBackward(r, dR, dR);
        Elementwise.Multiply(dAn, r, dN);
        direct.CopyTo(dh);
    }
}

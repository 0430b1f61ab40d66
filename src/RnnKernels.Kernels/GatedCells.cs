using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>
/// The gate arithmetic of one LSTM or GRU step for one batch entry, fused into a single pass over the H hidden units
/// (PyTorch's nn.LSTM and nn.GRU; gate blocks in PyTorch's order). A step of a small batch is otherwise a dozen
/// separate elementwise passes per direction, each paying its call and its loads again.
/// </summary>
/// <remarks>
/// Each unit's result takes the same operations in the same order as the separate kernels (sigmoid, tanh and their
/// backward operators, products and sums, one rounding each); units past the last full vector take the tier's narrower
/// vectors, then the scalar operators. Outputs may alias the matching state input exactly (c with cPrev, h with hPrev). Sizes are checked once.
/// </remarks>
public static class GatedCells
{
    /// <summary>
    /// LSTM forward: gates [4H] holds the input projection (both biases) and receives the activated gates i, f, g, o;
    /// recurrent [4H] is h_{t-1} W_R^T; writes c = f c_prev + i g and h = o tanh(c).
    /// </summary>
    /// <param name="gates">Pre-activations of the input side, overwritten by the activated gates.</param>
    /// <param name="recurrent">The recurrent product for the four gates.</param>
    /// <param name="cPrev">c_{t-1} [H].</param>
    /// <param name="c">c_t [H]; may be <paramref name="cPrev"/>.</param>
    /// <param name="h">h_t [H].</param>
    /// <exception cref="ArgumentException">The spans are not 4H, 4H, H, H and H long.</exception>
    public static void LstmForward(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h) =>
        LstmForward(KernelTiers.Best, gates, recurrent, cPrev, c, h);

    /// <summary>
    /// LSTM backward from dE/dh_t (<paramref name="dh"/>, the total) and dE/dc_t carried from t+1 (<paramref name="dc"/>):
    /// writes dA [4H], the gates' pre-activation gradient; leaves dE/dc_{t-1} in dc and clears dh (an LSTM's h_{t-1}
    /// reaches the loss only through W_R, which the caller's product dA W_R adds).
    /// </summary>
    /// <param name="gates">The activated gates [4H] of the forward step.</param>
    /// <param name="c">c_t [H].</param>
    /// <param name="cPrev">c_{t-1} [H].</param>
    /// <param name="dh">dE/dh_t [H]; cleared.</param>
    /// <param name="dc">dE/dc_t [H]; replaced by dE/dc_{t-1}.</param>
    /// <param name="dA">dE/d(pre-activation) [4H].</param>
    /// <exception cref="ArgumentException">The spans are not 4H, H, H, H, H and 4H long.</exception>
    public static void LstmBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc, Span<float> dA) =>
        LstmBackward(KernelTiers.Best, gates, c, cPrev, dh, dc, dA);

    /// <summary>
    /// GRU forward: gates [3H] holds the input projection (b_ih) and receives the activated r, z, n; recurrent [3H] is
    /// h_{t-1} W_R^T + b_hh; writes recurrentN = W_Rn h_{t-1} + b_hn (backward needs it) and h = n + z (h_prev - n).
    /// </summary>
    /// <param name="gates">Pre-activations of the input side, overwritten by the activated gates.</param>
    /// <param name="recurrent">The recurrent product with b_hh.</param>
    /// <param name="hPrev">h_{t-1} [H].</param>
    /// <param name="recurrentN">Receives the n gate's recurrent part [H].</param>
    /// <param name="h">h_t [H]; may be <paramref name="hPrev"/>.</param>
    /// <exception cref="ArgumentException">The spans are not 3H, 3H, H, H and H long.</exception>
    public static void GruForward(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev, Span<float> recurrentN, Span<float> h) =>
        GruForward(KernelTiers.Best, gates, recurrent, hPrev, recurrentN, h);

    /// <summary>
    /// GRU backward from dE/dh_t (<paramref name="dh"/>, the total): writes dA [3H], the pre-activation gradient on the
    /// recurrent side (r, z, and r times the n gate's), and dAn [H], the n gate's on the input side; leaves in dh the
    /// part of dE/dh_{t-1} that does not pass through W_R (dh z).
    /// </summary>
    /// <param name="gates">The activated gates [3H] of the forward step.</param>
    /// <param name="recurrentN">W_Rn h_{t-1} + b_hn [H] of the forward step.</param>
    /// <param name="hPrev">h_{t-1} [H].</param>
    /// <param name="dh">dE/dh_t [H]; replaced by its direct part.</param>
    /// <param name="dA">Recurrent-side pre-activation gradient [3H].</param>
    /// <param name="dAn">Input-side pre-activation gradient of the n gate [H].</param>
    /// <exception cref="ArgumentException">The spans are not 3H, H, H, H, 3H and H long.</exception>
    public static void GruBackward(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrentN, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dA, Span<float> dAn) =>
        GruBackward(KernelTiers.Best, gates, recurrentN, hPrev, dh, dA, dAn);

    internal static void LstmForward(IsaTier tier, Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
    {
        int n = h.Length;
        Check(4 * n, gates.Length, nameof(gates));
        Check(4 * n, recurrent.Length, nameof(recurrent));
        Check(n, cPrev.Length, nameof(cPrev));
        Check(n, c.Length, nameof(c));
        Run(tier, new LstmForwardStep(gates, recurrent, cPrev, c, h), n);
    }

    internal static void LstmBackward(
        IsaTier tier, ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc, Span<float> dA)
    {
        int n = dh.Length;
        Check(4 * n, gates.Length, nameof(gates));
        Check(n, c.Length, nameof(c));
        Check(n, cPrev.Length, nameof(cPrev));
        Check(n, dc.Length, nameof(dc));
        Check(4 * n, dA.Length, nameof(dA));
        Run(tier, new LstmBackwardStep(gates, c, cPrev, dh, dc, dA), n);
    }

    internal static void GruForward(IsaTier tier, Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev, Span<float> recurrentN, Span<float> h)
    {
        int n = h.Length;
        Check(3 * n, gates.Length, nameof(gates));
        Check(3 * n, recurrent.Length, nameof(recurrent));
        Check(n, hPrev.Length, nameof(hPrev));
        Check(n, recurrentN.Length, nameof(recurrentN));
        Run(tier, new GruForwardStep(gates, recurrent, hPrev, recurrentN, h), n);
    }

    internal static void GruBackward(
        IsaTier tier, ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrentN, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dA, Span<float> dAn)
    {
        int n = dh.Length;
        Check(3 * n, gates.Length, nameof(gates));
        Check(n, recurrentN.Length, nameof(recurrentN));
        Check(n, hPrev.Length, nameof(hPrev));
        Check(3 * n, dA.Length, nameof(dA));
        Check(n, dAn.Length, nameof(dAn));
        Run(tier, new GruBackwardStep(gates, recurrentN, hPrev, dh, dA, dAn), n);
    }

    /// <summary>
    /// Units [0, n): full vectors of the tier's width, then what is left in the narrower vectors the tier also has
    /// (a hidden size of 100 on AVX2 ends in one 4-lane vector, not four calls of the scalar functions), then the last
    /// units as one zero-padded vector (the elementwise driver's policy for what does not fill a vector).
    /// </summary>
    private static void Run<TStep>(IsaTier tier, TStep step, int n)
        where TStep : struct, IGateStep, allows ref struct =>
        LaneDispatch.Run(tier, new Widths<TStep>(step, n));

    /// <summary>
    /// Whole vectors of V from unit j on; returns the first unit left. A method per width, never inlined, so each width
    /// is compiled on its own inlining budget: with every width in one method, the 512-bit one (emulated in software
    /// pieces where AVX-512 is disabled) used it up and the AVX2 gate arithmetic ran as calls (55 per LSTM block).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static nint Units<TStep, V>(TStep step, nint j, int n)
        where TStep : struct, IGateStep, allows ref struct
        where V : struct, ILaneVector<V>
    {
        for (; j <= n - V.Count; j += V.Count)
        {
            step.At<V>(j, n);
        }

        return j;
    }

    private static void Check(long expected, int actual, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} must hold {expected} values for this hidden size, but it has {actual}.", name);
        }
    }

    /// <summary>Copies units [j, j + count) of each of <paramref name="blocks"/> blocks n apart into blocks w apart, zeros after.</summary>
    private static void PadIn(ref float source, nint j, int n, int count, int blocks, Span<float> padded)
    {
        int w = padded.Length / blocks;
        padded.Clear();
        for (int k = 0; k < blocks; k++)
        {
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref source, j + ((nint)k * n)), count).CopyTo(padded.Slice(k * w, count));
        }
    }

    /// <summary>Copies the first <paramref name="count"/> units of each block of <paramref name="padded"/> back to units [j, j + count) of its block.</summary>
    private static void PadOut(ReadOnlySpan<float> padded, int w, int count, int blocks, ref float target, nint j, int n)
    {
        for (int k = 0; k < blocks; k++)
        {
            padded.Slice(k * w, count).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref target, j + ((nint)k * n)), count));
        }
    }

    /// <summary>One step's arithmetic at units [j, j + width) of a hidden size n.</summary>
    private interface IGateStep
    {
        void At<TVector>(nint j, int n)
            where TVector : struct, ILaneVector<TVector>;

        /// <summary>
        /// Units [j, n), fewer than one vector of V: copied into zero-padded vectors, computed by
        /// <see cref="At{TVector}"/> like every other unit, and the real units copied back.
        /// </summary>
        void Tail<TVector>(nint j, int n)
            where TVector : struct, ILaneVector<TVector>;
    }

    private readonly ref struct LstmForwardStep(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> h)
        : IGateStep
    {
        private readonly ref float _gates = ref MemoryMarshal.GetReference(gates);
        private readonly ref float _recurrent = ref MemoryMarshal.GetReference(recurrent);
        private readonly ref float _cPrev = ref MemoryMarshal.GetReference(cPrev);
        private readonly ref float _c = ref MemoryMarshal.GetReference(c);
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            V i = V.Sigmoid(V.Load(ref _gates, j) + V.Load(ref _recurrent, j));
            V f = V.Sigmoid(V.Load(ref _gates, j + n) + V.Load(ref _recurrent, j + n));
            V g = V.Tanh(V.Load(ref _gates, j + (2 * n)) + V.Load(ref _recurrent, j + (2 * n)));
            V o = V.Sigmoid(V.Load(ref _gates, j + (3 * n)) + V.Load(ref _recurrent, j + (3 * n)));
            V.Store(i, ref _gates, j);
            V.Store(f, ref _gates, j + n);
            V.Store(g, ref _gates, j + (2 * n));
            V.Store(o, ref _gates, j + (3 * n));
            V c = (f * V.Load(ref _cPrev, j)) + (i * g);
            V.Store(c, ref _c, j);
            V.Store(o * V.Tanh(c), ref _h, j);
        }

        public void Tail<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            int w = V.Count, r = n - (int)j;
            Span<float> gates = stackalloc float[4 * w], recurrent = stackalloc float[4 * w], cPrev = stackalloc float[w], c = stackalloc float[w], h = stackalloc float[w];
            PadIn(ref _gates, j, n, r, 4, gates);
            PadIn(ref _recurrent, j, n, r, 4, recurrent);
            PadIn(ref _cPrev, j, n, r, 1, cPrev);
            new LstmForwardStep(gates, recurrent, cPrev, c, h).At<V>(0, w);
            PadOut(gates, w, r, 4, ref _gates, j, n);
            PadOut(c, w, r, 1, ref _c, j, n);
            PadOut(h, w, r, 1, ref _h, j, n);
        }
    }

    private readonly ref struct LstmBackwardStep(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> c, ReadOnlySpan<float> cPrev, Span<float> dh, Span<float> dc, Span<float> dA) : IGateStep
    {
        private readonly ref float _gates = ref MemoryMarshal.GetReference(gates);
        private readonly ref float _c = ref MemoryMarshal.GetReference(c);
        private readonly ref float _cPrev = ref MemoryMarshal.GetReference(cPrev);
        private readonly ref float _dh = ref MemoryMarshal.GetReference(dh);
        private readonly ref float _dc = ref MemoryMarshal.GetReference(dc);
        private readonly ref float _dA = ref MemoryMarshal.GetReference(dA);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            V i = V.Load(ref _gates, j), f = V.Load(ref _gates, j + n), g = V.Load(ref _gates, j + (2 * n)), o = V.Load(ref _gates, j + (3 * n));
            V dh = V.Load(ref _dh, j);
            V tanhC = V.Tanh(V.Load(ref _c, j));
            V.Store(V.SigmoidBackward(o, dh * tanhC), ref _dA, j + (3 * n));
            V dc = V.Load(ref _dc, j) + V.TanhBackward(tanhC, dh * o);
            V.Store(V.SigmoidBackward(i, dc * g), ref _dA, j);
            V.Store(V.TanhBackward(g, dc * i), ref _dA, j + (2 * n));
            V.Store(V.SigmoidBackward(f, dc * V.Load(ref _cPrev, j)), ref _dA, j + n);
            V.Store(dc * f, ref _dc, j);
            V.Store(default, ref _dh, j);
        }

        public void Tail<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            int w = V.Count, r = n - (int)j;
            Span<float> gates = stackalloc float[4 * w], c = stackalloc float[w], cPrev = stackalloc float[w], dh = stackalloc float[w], dc = stackalloc float[w];
            Span<float> dA = stackalloc float[4 * w];
            PadIn(ref _gates, j, n, r, 4, gates);
            PadIn(ref _c, j, n, r, 1, c);
            PadIn(ref _cPrev, j, n, r, 1, cPrev);
            PadIn(ref _dh, j, n, r, 1, dh);
            PadIn(ref _dc, j, n, r, 1, dc);
            new LstmBackwardStep(gates, c, cPrev, dh, dc, dA).At<V>(0, w);
            PadOut(dh, w, r, 1, ref _dh, j, n);
            PadOut(dc, w, r, 1, ref _dc, j, n);
            PadOut(dA, w, r, 4, ref _dA, j, n);
        }
    }

    private readonly ref struct GruForwardStep(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev, Span<float> recurrentN, Span<float> h)
        : IGateStep
    {
        private readonly ref float _gates = ref MemoryMarshal.GetReference(gates);
        private readonly ref float _recurrent = ref MemoryMarshal.GetReference(recurrent);
        private readonly ref float _hPrev = ref MemoryMarshal.GetReference(hPrev);
        private readonly ref float _recurrentN = ref MemoryMarshal.GetReference(recurrentN);
        private readonly ref float _h = ref MemoryMarshal.GetReference(h);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            V r = V.Sigmoid(V.Load(ref _gates, j) + V.Load(ref _recurrent, j));
            V z = V.Sigmoid(V.Load(ref _gates, j + n) + V.Load(ref _recurrent, j + n));
            V hn = V.Load(ref _recurrent, j + (2 * n));
            V newGate = V.Tanh(V.Load(ref _gates, j + (2 * n)) + (r * hn));
            V hPrev = V.Load(ref _hPrev, j);
            V.Store(r, ref _gates, j);
            V.Store(z, ref _gates, j + n);
            V.Store(newGate, ref _gates, j + (2 * n));
            V.Store(hn, ref _recurrentN, j);
            V.Store(newGate + (z * (hPrev - newGate)), ref _h, j);
        }

        public void Tail<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            int w = V.Count, r = n - (int)j;
            Span<float> gates = stackalloc float[3 * w], recurrent = stackalloc float[3 * w], hPrev = stackalloc float[w], recurrentN = stackalloc float[w], h = stackalloc float[w];
            PadIn(ref _gates, j, n, r, 3, gates);
            PadIn(ref _recurrent, j, n, r, 3, recurrent);
            PadIn(ref _hPrev, j, n, r, 1, hPrev);
            new GruForwardStep(gates, recurrent, hPrev, recurrentN, h).At<V>(0, w);
            PadOut(gates, w, r, 3, ref _gates, j, n);
            PadOut(recurrentN, w, r, 1, ref _recurrentN, j, n);
            PadOut(h, w, r, 1, ref _h, j, n);
        }
    }

    private readonly ref struct GruBackwardStep(
        ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrentN, ReadOnlySpan<float> hPrev, Span<float> dh, Span<float> dA, Span<float> dAn) : IGateStep
    {
        private readonly ref float _gates = ref MemoryMarshal.GetReference(gates);
        private readonly ref float _recurrentN = ref MemoryMarshal.GetReference(recurrentN);
        private readonly ref float _hPrev = ref MemoryMarshal.GetReference(hPrev);
        private readonly ref float _dh = ref MemoryMarshal.GetReference(dh);
        private readonly ref float _dA = ref MemoryMarshal.GetReference(dA);
        private readonly ref float _dAn = ref MemoryMarshal.GetReference(dAn);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void At<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            V r = V.Load(ref _gates, j), z = V.Load(ref _gates, j + n), newGate = V.Load(ref _gates, j + (2 * n));
            V dh = V.Load(ref _dh, j);
            V.Store(V.SigmoidBackward(z, dh * (V.Load(ref _hPrev, j) - newGate)), ref _dA, j + n);
            V direct = dh * z;
            V dAn = V.TanhBackward(newGate, dh - direct);
            V.Store(dAn, ref _dAn, j);
            V.Store(V.SigmoidBackward(r, dAn * V.Load(ref _recurrentN, j)), ref _dA, j);
            V.Store(dAn * r, ref _dA, j + (2 * n));
            V.Store(direct, ref _dh, j);
        }

        public void Tail<V>(nint j, int n)
            where V : struct, ILaneVector<V>
        {
            int w = V.Count, r = n - (int)j;
            Span<float> gates = stackalloc float[3 * w], recurrentN = stackalloc float[w], hPrev = stackalloc float[w], dh = stackalloc float[w];
            Span<float> dA = stackalloc float[3 * w], dAn = stackalloc float[w];
            PadIn(ref _gates, j, n, r, 3, gates);
            PadIn(ref _recurrentN, j, n, r, 1, recurrentN);
            PadIn(ref _hPrev, j, n, r, 1, hPrev);
            PadIn(ref _dh, j, n, r, 1, dh);
            new GruBackwardStep(gates, recurrentN, hPrev, dh, dA, dAn).At<V>(0, w);
            PadOut(dh, w, r, 1, ref _dh, j, n);
            PadOut(dA, w, r, 3, ref _dA, j, n);
            PadOut(dAn, w, r, 1, ref _dAn, j, n);
        }
    }

    /// <summary>
    /// The widths from V down: V's whole vectors, then 8 and 4 lanes for what is left, and the last units (fewer than
    /// four) as one padded 4-lane vector, so every unit takes the same vector code wherever it sits (JIT-time tests).
    /// </summary>
    private readonly ref struct Widths<TStep>(TStep step, int n) : ILaneWork
        where TStep : struct, IGateStep, allows ref struct
    {
        private readonly TStep _step = step;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V>
        {
            nint j = Units<TStep, V>(_step, 0, n);
            if (V.Count > 8)
            {
                j = Units<TStep, Lanes8>(_step, j, n);
            }

            if (V.Count > 4)
            {
                j = Units<TStep, Lanes4>(_step, j, n);
            }

            if (V.Count > 1 && j < n)
            {
                _step.Tail<Lanes4>(j, n);
            }
        }
    }
}

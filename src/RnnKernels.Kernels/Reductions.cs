using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>Reductions with a fixed summation order (it depends only on the length and the tier, never on alignment).</summary>
public static class Reductions
{
    /// <summary>Sum of x[i]^2, accumulated in float lanes of fixed width and combined in double.</summary>
    /// <param name="x">Values.</param>
    /// <returns>The sum of squares.</returns>
    public static double SumOfSquares(ReadOnlySpan<float> x) => SumOfSquares(KernelTiers.Best, x);

    /// <summary>The sum of squares on the given tier (its lane width fixes the summation order).</summary>
    internal static double SumOfSquares(IsaTier tier, ReadOnlySpan<float> x) => LaneDispatch.Run<SumOfSquaresWork, double>(tier, new SumOfSquaresWork(x));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumOfSquares<V>(ReadOnlySpan<float> x)
        where V : struct, ILaneVector<V>
    {
        // Four independent accumulators hide the FMA latency; blocks of 1024 elements keep the float partial sums
        // short enough to stay accurate for long buffers. The order depends only on the length and the lane width.
        const int Block = 1024;
        ref float xr = ref MemoryMarshal.GetReference(x);
        int w = V.Count, i = 0;
        double total = 0;
        Span<float> lanes = stackalloc float[V.Count];
        while (i <= x.Length - (4 * w))
        {
            int end = Math.Min(x.Length - (4 * w), i + Block);
            V a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= end; i += 4 * w)
            {
                V v0 = V.Load(ref xr, i), v1 = V.Load(ref xr, i + w), v2 = V.Load(ref xr, i + (2 * w)), v3 = V.Load(ref xr, i + (3 * w));
                a0 = V.MultiplyAdd(v0, v0, a0);
                a1 = V.MultiplyAdd(v1, v1, a1);
                a2 = V.MultiplyAdd(v2, v2, a2);
                a3 = V.MultiplyAdd(v3, v3, a3);
            }

            V.Store((a0 + a1) + (a2 + a3), ref lanes[0], 0);
            foreach (float lane in lanes)
            {
                total += lane;
            }
        }

        return SumOfSquaresTail(x, i, total);
    }

    /// <summary>total + the squares of x[i..] in double: the scalar tier, and the tail of the vector ones.</summary>
    private static double SumOfSquaresTail(ReadOnlySpan<float> x, int i, double total)
    {
        for (; i < x.Length; i++)
        {
            total += (double)x[i] * x[i];
        }

        return total;
    }

    /// <summary>
    /// Column sums of a rows x n matrix: <paramref name="sums"/>[j] (+)= sum_r m[r*ld + j]. This is a bias gradient:
    /// the sum over all time steps and batch entries of the pre-activation gradient.
    /// </summary>
    /// <param name="m">The matrix, row-major.</param>
    /// <param name="rows">Rows of the matrix.</param>
    /// <param name="ld">Row stride of the matrix.</param>
    /// <param name="sums">Column sums, length n.</param>
    /// <param name="accumulate">True adds to <paramref name="sums"/>; false overwrites it.</param>
    /// <exception cref="ArgumentOutOfRangeException">rows is negative or ld is out of range.</exception>
    /// <exception cref="ArgumentException">m or sums is too short for the shape.</exception>
    public static void ColumnSums(ReadOnlySpan<float> m, int rows, int ld, Span<float> sums, bool accumulate) =>
        ColumnSums(KernelTiers.Best, m, rows, ld, sums, accumulate);

    /// <summary>Column sums on the given tier.</summary>
    internal static unsafe void ColumnSums(IsaTier tier, ReadOnlySpan<float> m, int rows, int ld, Span<float> sums, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        GemmArguments.Needed(rows, sums.Length, ld, m.Length, nameof(m), nameof(ld), Transpose.No);
        if (rows == 0 || sums.IsEmpty)
        {
            if (!accumulate)
            {
                sums.Clear();
            }

            return;
        }

        fixed (float* pm = m, ps = sums)
        {
            LaneDispatch.Run(tier, new ColumnSumsWork(pm, rows, ld, ps, sums.Length, accumulate));
        }
    }

    /// <summary>
    /// Four column vectors at a time summed down all the rows in registers, one pass over the matrix (a row at a time
    /// through the whole width read and wrote the sums once per row). Each column adds its rows in order, from 0 or
    /// from what it held.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ColumnSums<V>(float* m, int rows, nint ld, float* sums, int n, bool accumulate)
        where V : struct, ILaneVector<V>
    {
        int w = V.Count, j = 0;
        for (; j <= n - (4 * w); j += 4 * w)
        {
            float* s = sums + j;
            V s0 = accumulate ? V.Load(s) : default, s1 = accumulate ? V.Load(s + w) : default;
            V s2 = accumulate ? V.Load(s + (2 * w)) : default, s3 = accumulate ? V.Load(s + (3 * w)) : default;
            for (int r = 0; r < rows; r++)
            {
                float* row = m + (r * ld) + j;
                s0 += V.Load(row);
                s1 += V.Load(row + w);
                s2 += V.Load(row + (2 * w));
                s3 += V.Load(row + (3 * w));
            }

            V.Store(s0, s);
            V.Store(s1, s + w);
            V.Store(s2, s + (2 * w));
            V.Store(s3, s + (3 * w));
        }

        for (; j <= n - w; j += w)
        {
            V sum = accumulate ? V.Load(sums + j) : default;
            for (int r = 0; r < rows; r++)
            {
                sum += V.Load(m + (r * ld) + j);
            }

            V.Store(sum, sums + j);
        }

        for (; j < n; j++)
        {
            float sum = accumulate ? sums[j] : 0f;
            for (int r = 0; r < rows; r++)
            {
                sum += m[(r * ld) + j];
            }

            sums[j] = sum;
        }
    }

    /// <summary>The largest element, or -Inf for an empty span; NaN if any element is NaN.</summary>
    /// <param name="x">Values.</param>
    /// <returns>The maximum.</returns>
    public static float Max(ReadOnlySpan<float> x) => Max(KernelTiers.Best, x);

    /// <summary>The maximum on the given tier (exact on every tier: only the order of comparisons differs).</summary>
    internal static float Max(IsaTier tier, ReadOnlySpan<float> x) => LaneDispatch.Run<MaxWork, float>(tier, new MaxWork(x));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Max<V>(ReadOnlySpan<float> x)
        where V : struct, ILaneVector<V>
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int w = V.Count;
        V max = V.Broadcast(float.NegativeInfinity);
        if (x.Length >= w)
        {
            // The last vector overlaps the one before it: harmless for a maximum.
            for (int i = 0; i < x.Length - w; i += w)
            {
                max = V.Max(max, V.Load(ref xr, i));
            }

            max = V.Max(max, V.Load(ref xr, x.Length - w));
        }
        else
        {
            foreach (float v in x)
            {
                max = V.Max(max, V.Broadcast(v));
            }
        }

        return V.MaxAcross(max);
    }

    private readonly ref struct SumOfSquaresWork(ReadOnlySpan<float> x) : ILaneWork<double>
    {
        private readonly ReadOnlySpan<float> _x = x;

        // The scalar tier adds every square in double (its own order, not four float accumulators of width one).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Run<V>()
            where V : struct, ILaneVector<V> => V.Count == 1 ? SumOfSquaresTail(_x, 0, 0) : SumOfSquares<V>(_x);
    }

    private readonly unsafe struct ColumnSumsWork(float* m, int rows, nint ld, float* sums, int n, bool accumulate) : ILaneWork
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run<V>()
            where V : struct, ILaneVector<V> => ColumnSums<V>(m, rows, ld, sums, n, accumulate);
    }

    private readonly ref struct MaxWork(ReadOnlySpan<float> x) : ILaneWork<float>
    {
        private readonly ReadOnlySpan<float> _x = x;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Run<V>()
            where V : struct, ILaneVector<V> => Max<V>(_x);
    }
}

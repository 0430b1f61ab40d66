using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>Reductions with a fixed summation order (it depends only on the length, never on alignment).</summary>
public static class Reductions
{
    /// <summary>Sum of x[i]^2, accumulated in float lanes of fixed width and combined in double.</summary>
    /// <param name="x">Values.</param>
    /// <returns>The sum of squares.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Four independent accumulators hide the FMA latency; blocks of 1024 elements keep the float partial sums
            // short enough to stay accurate for long buffers. The order depends only on the length.
            const int Block = 1024;
            int w = Vector<float>.Count;
            while (i <= x.Length - (4 * w))
            {
                int end = Math.Min(x.Length - (4 * w), i + Block);
                Vector<float> a0 = Vector<float>.Zero, a1 = Vector<float>.Zero, a2 = Vector<float>.Zero, a3 = Vector<float>.Zero;
                for (; i <= end; i += 4 * w)
                {
                    Vector<float> v0 = Vector.LoadUnsafe(ref xr, (nuint)i), v1 = Vector.LoadUnsafe(ref xr, (nuint)(i + w));
                    Vector<float> v2 = Vector.LoadUnsafe(ref xr, (nuint)(i + (2 * w))), v3 = Vector.LoadUnsafe(ref xr, (nuint)(i + (3 * w)));
                    a0 = Vector.MultiplyAddEstimate(v0, v0, a0);
                    a1 = Vector.MultiplyAddEstimate(v1, v1, a1);
                    a2 = Vector.MultiplyAddEstimate(v2, v2, a2);
                    a3 = Vector.MultiplyAddEstimate(v3, v3, a3);
                }

                Vector<float> sum = (a0 + a1) + (a2 + a3);
                for (int lane = 0; lane < w; lane++)
                {
                    total += sum[lane];
                }
            }
        }

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(ReadOnlySpan<float> m, int rows, int ld, Span<float> sums, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        GemmArguments.Needed(rows, sums.Length, ld, m.Length, nameof(m), nameof(ld), Transpose.No);
        if (!accumulate)
        {
            sums.Clear();
        }

        for (int r = 0; r < rows; r++)
        {
            Elementwise.Axpy(1f, m.Slice(r * ld, sums.Length), sums);
        }
    }

    /// <summary>The largest element, or -Inf for an empty span; NaN if any element is NaN.</summary>
    /// <param name="x">Values.</param>
    /// <returns>The maximum.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x)
        {
            if (float.IsNaN(v))
            {
                return v;
            }

            max = Math.Max(max, v);
        }

        return max;
    }
}

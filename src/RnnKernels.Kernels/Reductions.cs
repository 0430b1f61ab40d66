using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnKernels.Kernels;

/// <summary>Reductions with a fixed summation order (it depends only on the length, never on alignment).</summary>
public static class Reductions
{
    /// <summary>Sum of x[i]^2, accumulated in float lanes of fixed width and combined in double.</summary>
    /// <param name="x">Values.</param>
    /// <returns>The sum of squares.</returns>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Blocks of 1024 keep the float partial sums short enough to stay accurate for long buffers.
            const int Block = 1024;
            while (i <= x.Length - Vector<float>.Count)
            {
                int end = Math.Min(x.Length - Vector<float>.Count, i + Block);
                Vector<float> acc = Vector<float>.Zero;
                for (; i <= end; i += Vector<float>.Count)
                {
                    Vector<float> v = Vector.LoadUnsafe(ref xr, (nuint)i);
                    acc = Vector.MultiplyAddEstimate(v, v, acc);
                }

                for (int lane = 0; lane < Vector<float>.Count; lane++)
                {
                    total += acc[lane];
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

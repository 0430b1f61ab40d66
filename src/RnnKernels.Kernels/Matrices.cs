namespace RnnKernels.Kernels;

/// <summary>Whole-matrix rearrangements the engine needs outside GEMM.</summary>
public static class Matrices
{
    /// <summary>at[j*rows + i] = a[i*cols + j]: the transpose of a dense rows x cols matrix, in 8 x 8 blocks.</summary>
    /// <param name="a">Source, rows x cols, contiguous.</param>
    /// <param name="rows">Rows of the source.</param>
    /// <param name="cols">Columns of the source.</param>
    /// <param name="at">Destination, cols x rows, contiguous; must not overlap <paramref name="a"/>.</param>
    public static void Transpose(ReadOnlySpan<float> a, int rows, int cols, Span<float> at)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long length = (long)rows * cols;
        if (a.Length != length)
        {
            throw new ArgumentException($"a must hold rows x cols = {rows} x {cols} values, but it has {a.Length}.", nameof(a));
        }

        SpanChecks.DestinationLongEnough((int)length, at.Length, nameof(at));
        if (a.Overlaps(at))
        {
            throw new ArgumentException("at must not overlap a.", nameof(at));
        }

        const int Block = 8;
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j0 = 0; j0 < cols; j0 += Block)
            {
                int j1 = Math.Min(cols, j0 + Block);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        at[(j * rows) + i] = a[(i * cols) + j];
                    }
                }
            }
        }
    }
}

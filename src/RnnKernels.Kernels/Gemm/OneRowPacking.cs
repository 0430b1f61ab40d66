using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// Packs op(B) for one-row products (<see cref="PackedLayout.OneRow"/>): the column group of each pass of
/// <see cref="Gemv.RunOneRow"/> (see <see cref="Gemv.OneRowGroupCount"/>) as k rows of its whole vectors, one row after
/// the other, the columns past n zero. The group of columns from j starts k * j floats in.
/// </summary>
internal static unsafe class OneRowPacking
{
    public static void Pack(IsaTier tier, Transpose transB, int k, int n, float* b, nint ldb, float* packed)
    {
        int w = LaneDispatch.Width(tier), vectors = (n + w - 1) / w, groups = Gemv.OneRowGroupCount(vectors);
        for (int g = 0; g < groups; g++)
        {
            int first = Gemv.OneRowGroupStart(vectors, groups, g), count = Gemv.OneRowGroupStart(vectors, groups, g + 1) - first;
            int j = first * w, width = count * w;
            int columns = Math.Min(width, n - j);
            float* group = packed + ((nint)k * j);
            if (transB == Transpose.No)
            {
                CopyRows(b + j, ldb, k, columns, group, width);
            }
            else
            {
                TransposeRows(b + (j * ldb), ldb, k, columns, group, width);
            }
        }
    }

    /// <summary>op(B)(p, j) = B[p*ldb + j]: a run of each stored row, then the padding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows(float* b, nint ldb, int k, int columns, float* group, int width)
    {
        for (int p = 0; p < k; p++)
        {
            float* row = group + ((nint)p * width);
            new ReadOnlySpan<float>(b + (p * ldb), columns).CopyTo(new Span<float>(row, columns));
            new Span<float>(row + columns, width - columns).Clear();
        }
    }

    /// <summary>
    /// op(B)(p, j) = B[j*ldb + p]: each stored row of B becomes a column of the group, eight (or four) at a time where
    /// the ISA allows. (Transposing 64 k steps at a time, for the group and its source rows to share L1, was measured
    /// no faster: docs/design-notes.md.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeRows(float* b, nint ldb, int k, int columns, float* group, int width)
    {
        int c = 0;
        for (; c + 8 <= columns && Avx.IsSupported; c += 8)
        {
            GemmPacking.PackEightRows(b + (c * ldb), ldb, k, group + c, width);
        }

        for (; c + 4 <= columns && Sse.IsSupported; c += 4)
        {
            GemmPacking.PackFourRows(b + (c * ldb), ldb, k, group + c, width);
        }

        for (; c < columns; c++)
        {
            float* source = b + (c * ldb);
            for (int p = 0; p < k; p++)
            {
                group[((nint)p * width) + c] = source[p];
            }
        }

        for (int p = 0; p < k && columns < width; p++)
        {
            new Span<float>(group + ((nint)p * width) + columns, width - columns).Clear();
        }
    }
}

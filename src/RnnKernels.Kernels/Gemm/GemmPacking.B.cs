using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

// Packing op(B): panels of kc x nr, whole panels of an untransposed B copied a few stored rows at a time.
internal static unsafe partial class GemmPacking
{
    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into <paramref name="dst"/> as ceil(nc/nr) panels of kc x nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(Transpose transB, float* b, nint ldb, int pc, int jc, int kc, int nc, int nr, float* dst)
    {
        int jr = 0;
        if (transB == Transpose.No)
        {
            int fullPanels = nc / nr;
            PackFullPanels(b + (pc * ldb) + jc, ldb, kc, fullPanels, nr, dst);
            jr = fullPanels * nr;
        }

        for (; jr < nc; jr += nr)
        {
            PackBPanel(transB, b, ldb, pc, jc + jr, kc, Math.Min(nr, nc - jr), nr, dst + ((nint)jr * kc));
        }
    }

    /// <summary>
    /// Packs <paramref name="panels"/> full kc x nr panels of an untransposed B (row stride ldb), eight stored rows at
    /// a time across all the panels. Copying panel by panel reads one short run from each of kc rows, ldb apart: no
    /// hardware prefetcher follows that across pages, and with ldb a multiple of 4 KiB every run lands in the same L1
    /// sets. Eight rows walked side by side are eight sequential streams the prefetchers keep ahead of, and each panel
    /// receives eight whole k steps at once (docs/design-notes.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackFullPanels(float* b, nint ldb, int kc, int panels, int nr, float* dst)
    {
        const int GroupRows = 8;
        for (int p0 = 0; p0 < kc; p0 += GroupRows)
        {
            int rows = Math.Min(GroupRows, kc - p0);
            for (int panel = 0; panel < panels; panel++)
            {
                float* src = b + (p0 * ldb) + ((nint)panel * nr);
                CopyPanelRows(src, ldb, dst + ((nint)panel * kc * nr) + (p0 * nr), nr, rows);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="rows"/> k steps of a full panel, nr contiguous values each, from stored rows ldb apart, in
    /// the widest vectors that are accelerated and divide nr (Vector512 only for a panel of exactly two: on CPUs where
    /// .NET does not accelerate it by default, the Avx512 tier's panel goes as four 256-bit moves). Not
    /// <c>Span.CopyTo</c>: a call to the BCL's general copy per 64 bytes cost nothing warm but about doubled the time to
    /// pack B of a large product cold from memory (docs/design-notes.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanelRows(float* src, nint ldb, float* d, int nr, int rows)
    {
        if (nr == 2 * Lanes16.Count && Vector512.IsHardwareAccelerated)
        {
            CopyVectorRows<Lanes16>(src, ldb, d, nr, rows);
        }
        else if (nr % Lanes8.Count == 0 && Vector256.IsHardwareAccelerated)
        {
            CopyVectorRows<Lanes8>(src, ldb, d, nr, rows);
        }
        else if (nr % Lanes4.Count == 0 && Vector128.IsHardwareAccelerated)
        {
            CopyVectorRows<Lanes4>(src, ldb, d, nr, rows);
        }
        else
        {
            for (int r = 0; r < rows; r++, src += ldb, d += nr)
            {
                for (int c = 0; c < nr; c++)
                {
                    d[c] = src[c];
                }
            }
        }
    }

    /// <summary>
    /// Copies k steps of nr values (a multiple of V's width) from stored rows ldb apart into consecutive steps at
    /// <paramref name="d"/>. A step of two vectors, every vector tier's own panel, is tested for once and copied as
    /// two moves: tested per step, a loop over the width took more instructions than its moves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyVectorRows<V>(float* src, nint ldb, float* d, int nr, int rows)
        where V : struct, ILaneVector<V>
    {
        if (nr == 2 * V.Count)
        {
            for (int r = 0; r < rows; r++, src += ldb, d += 2 * V.Count)
            {
                V.Store(V.Load(src), d);
                V.Store(V.Load(src + V.Count), d + V.Count);
            }

            return;
        }

        for (int r = 0; r < rows; r++, src += ldb, d += nr)
        {
            for (int c = 0; c < nr; c += V.Count)
            {
                V.Store(V.Load(src + c), d + c);
            }
        }
    }

    /// <summary>Packs one kc x cols strip of op(B) starting at (pc, j) into a kc x nr panel, zero-padding the columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBPanel(Transpose transB, float* b, nint ldb, int pc, int j, int kc, int cols, int nr, float* panel)
    {
        if (transB == Transpose.No && cols == nr)
        {
            // The hot case: a full panel of an untransposed weight matrix.
            PackFullPanels(b + (pc * ldb) + j, ldb, kc, 1, nr, panel);
        }
        else if (transB == Transpose.No)
        {
            // op(B)(p, j) = B[p*ldb + j]: copy a contiguous run of each stored row.
            for (int p = 0; p < kc; p++)
            {
                float* src = b + ((pc + p) * ldb) + j;
                float* d = panel + (p * nr);
                int c = 0;
                for (; c < cols; c++)
                {
                    d[c] = src[c];
                }

                for (; c < nr; c++)
                {
                    d[c] = 0f;
                }
            }
        }
        else if (cols == nr && nr % 8 == 0 && Avx.IsSupported)
        {
            // A full panel of a transposed B: every eight stored rows of B become eight columns of the panel.
            for (int c = 0; c < nr; c += 8)
            {
                PackEightRows(b + ((j + c) * ldb) + pc, ldb, kc, panel + c, nr);
            }
        }
        else
        {
            // op(B)(p, j) = B[j*ldb + p]: each stored row of B becomes one column of the panel.
            for (int c = 0; c < cols; c++)
            {
                float* src = b + ((j + c) * ldb) + pc;
                for (int p = 0; p < kc; p++)
                {
                    panel[(p * nr) + c] = src[p];
                }
            }

            for (int c = cols; c < nr; c++)
            {
                for (int p = 0; p < kc; p++)
                {
                    panel[(p * nr) + c] = 0f;
                }
            }
        }
    }
}

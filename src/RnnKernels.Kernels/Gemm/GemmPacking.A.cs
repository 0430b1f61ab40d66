using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

// Packing op(A): blocks of mc rows as tiles of mr rows, k steps contiguous, each tile padded by a cache line.
internal static unsafe partial class GemmPacking
{
    /// <summary>Floats of padding after each packed tile of A (one cache line; see <see cref="TileStride"/>).</summary>
    private const int TilePadFloats = 16;

    /// <summary>
    /// Floats from the start of one packed tile of A to the next: its kc x mr values and a cache line more. At kc = 256
    /// the tiles are 4, 6 or 8 KiB long, so without the line the same k step of every tile falls in the same one or
    /// two L1 sets, and packing, which writes that step of every tile in turn, evicts the lines it has just written
    /// (copying a transposed 144 x 256 block took longer than multiplying it by 16 columns on AVX-512).
    /// </summary>
    public static nint TileStride(int mr, int kc) => ((nint)mr * kc) + TilePadFloats;

    /// <summary>Floats a packed block of op(A) of up to <paramref name="mc"/> rows needs (tiles of mr rows, padded).</summary>
    public static int PackedAFloats(int mc, int mr, int kc) => (mc + mr - 1) / mr * (int)TileStride(mr, kc);

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] into <paramref name="dst"/> as panels of kc x mr, one per row tile,
    /// <see cref="TileStride"/> apart (<see cref="RowTiles.Next"/>, balanced when <paramref name="anyRowCount"/>). The
    /// rows a short tile lacks are zeroed for kernels that compute only whole tiles; a kernel that computes any row
    /// count (<see cref="IGemmMicroKernel.RunsEveryRowCount"/>, <paramref name="anyRowCount"/>) never reads them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(Transpose transA, float* a, nint lda, int ic, int pc, int mc, int kc, int mr, bool anyRowCount, float* dst)
    {
        if (transA == Transpose.Yes)
        {
            PackTransposedA(a, lda, ic, pc, mc, kc, mr, anyRowCount, dst);
            return;
        }

        for (int ir = 0, rows, tileIndex = 0; ir < mc; ir += rows, tileIndex++)
        {
            rows = RowTiles.Next(mc - ir, mr, anyRowCount);
            float* panel = dst + (tileIndex * TileStride(mr, kc));
            if (rows == 8 && mr == 8 && Avx.IsSupported)
            {
                // Eight full rows: transpose 8 x 8 blocks in registers instead of scattering element by element.
                PackEightRows(a + ((ic + ir) * lda) + pc, lda, kc, panel, 8);
            }
            else if (rows == 6 && mr == 6 && Sse.IsSupported)
            {
                PackSixRows(a + ((ic + ir) * lda) + pc, lda, kc, panel);
            }
            else
            {
                PackRows(a + ((ic + ir) * lda) + pc, lda, kc, rows, panel, mr);
            }

            if (!anyRowCount)
            {
                ZeroPadRows(panel, kc, mr, rows);
            }
        }
    }

    /// <summary>
    /// op(A)(i, p) = A[i*lda + p]: each row is contiguous in p and lands in the panel with stride mr. Four rows at a
    /// time go through 4 x 4 register transposes and a pair of rows through one unpack, so four k steps cost a handful
    /// of loads, shuffles and stores instead of one scalar move per value (scattered element by element, packing A was
    /// several times OpenBLAS's copy: docs/design-notes.md). The tiles of the 4-row kernels and the short tiles come here;
    /// a whole AVX2 tile of six rows goes to <see cref="PackSixRows"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows(float* a, nint lda, int kc, int rows, float* panel, int mr)
    {
        int r = 0;
        int vectorDepth = Sse.IsSupported ? kc & ~3 : 0;
        for (; r + 4 <= rows && vectorDepth > 0; r += 4)
        {
            PackFourRows(a + (r * lda), lda, vectorDepth, panel + r, mr);
        }

        if (r + 2 <= rows && vectorDepth > 0)
        {
            float* s = a + (r * lda);
            for (int p = 0; p < vectorDepth; p += 4)
            {
                TransposePair(s + p, lda, panel + (p * mr) + r, mr);
            }

            r += 2;
        }

        // What the vectors left: the depth short of four for the rows above, every k step for the rest.
        for (int row = 0; row < rows; row++)
        {
            float* src = a + (row * lda);
            for (int p = row < r ? vectorDepth : 0; p < kc; p++)
            {
                panel[(p * mr) + row] = src[p];
            }
        }
    }

    /// <summary>
    /// The six rows of a whole AVX2 tile, all advancing four k steps at a time: a 4 x 4 transpose and a pair unpack
    /// per step, the same moves as <see cref="PackRows"/>, which runs the four rows over the whole depth and then the
    /// pair. Six streams from memory at once instead of four and then two, and each line of the panel written in one
    /// visit. Once per line of depth it also prefetches the next six rows (the next tile, or past the block, where a
    /// prefetch is harmless: it never faults), so their lines are on the way when that tile starts. The prefetches
    /// cost a little on a warm block and are kept because the blocks of a product large enough to have many come from
    /// memory (figures: docs/design-notes.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackSixRows(float* a, nint lda, int kc, float* panel)
    {
        const int Rows = 6;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            float* s = a + p;
            if ((p & 15) == 0)
            {
                float* next = s + (Rows * lda);
                Sse.Prefetch0(next);
                Sse.Prefetch0(next + lda);
                Sse.Prefetch0(next + (2 * lda));
                Sse.Prefetch0(next + (3 * lda));
                Sse.Prefetch0(next + (4 * lda));
                Sse.Prefetch0(next + (5 * lda));
            }

            float* d = panel + (p * Rows);
            Transpose4x4(s, lda, d, Rows);
            TransposePair(s + (4 * lda), lda, d + 4, Rows);
        }

        for (; p < kc; p++)
        {
            for (int r = 0; r < Rows; r++)
            {
                panel[(p * Rows) + r] = a[(r * lda) + p];
            }
        }
    }

    /// <summary>
    /// op(A)(i, p) = A[p*lda + i]: stored row p holds the p-th column of every panel, so the rows are walked once,
    /// contiguously, each scattered into all whole tiles; the (at most two) short tiles then go down the rows on their
    /// own. (Walking every panel that way would stride through kc stored rows per panel, and with a power-of-two lda
    /// those rows share a couple of L1 sets and are fetched again for every panel.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedA(float* a, nint lda, int ic, int pc, int mc, int kc, int mr, bool anyRowCount, float* dst)
    {
        // Whole tiles first, then at most two shorter ones (RowTiles), the same at every k step. The whole tiles are
        // copied by code compiled for the tier's MR, a fixed move or two per tile and step: copies sized at run time
        // cost a loop, its branches and spills per six floats, and made this packing a larger share of a weight-gradient
        // product than OpenBLAS's copy of the same matrix (docs/design-notes.md).
        int whole = 0, ir = 0;
        while (ir < mc && RowTiles.Next(mc - ir, mr, anyRowCount) == mr)
        {
            ir += mr;
            whole++;
        }

        float* src = a + (pc * lda) + ic;
        switch (mr)
        {
            case 4:
                CopyWholeTiles<Count4>(src, lda, kc, whole, dst);
                break;
            case 6:
                CopyWholeTiles<Count6>(src, lda, kc, whole, dst);
                break;
            case 8:
                CopyWholeTiles<Count8>(src, lda, kc, whole, dst);
                break;
            default:
                throw new InvalidOperationException($"No micro-kernel has {mr} rows: packing has no tile copy for it.");
        }

        nint tileStride = TileStride(mr, kc);
        for (int r = ir, rows, tileIndex = whole; r < mc; r += rows, tileIndex++)
        {
            rows = RowTiles.Next(mc - r, mr, anyRowCount);
            float* tile = dst + (tileIndex * tileStride);
            for (int p = 0; p < kc; p++)
            {
                CopyShortTileRow(src + (p * lda) + r, tile + (p * mr), rows);
            }

            if (!anyRowCount)
            {
                ZeroPadRows(tile, kc, mr, rows);
            }
        }
    }

    /// <summary>The first <paramref name="tiles"/> whole tiles of a transposed A block, TRows.Value rows each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyWholeTiles<TRows>(float* src, nint lda, int kc, int tiles, float* dst)
        where TRows : struct, ICount
    {
        int mr = TRows.Value;
        nint tileStride = TileStride(mr, kc);
        int p = 0;
        if (TRows.Value == 6 && Avx.IsSupported)
        {
            for (; p + 4 <= kc; p += 4)
            {
                float* s = src + (p * lda);
                float* d = dst + ((nint)p * mr);
                for (int t = 0; t < tiles; t++)
                {
                    CopySixWideTileFourSteps(s + (t * mr), lda, d + (t * tileStride));
                }
            }
        }

        for (; p < kc; p++)
        {
            float* s = src + (p * lda);
            float* d = dst + ((nint)p * mr);
            for (int t = 0; t < tiles; t++)
            {
                CopyTileRow<TRows>(s + (t * mr), d + (t * tileStride));
            }
        }
    }

    /// <summary>
    /// Four k steps of a six-row tile (four stored rows, six values each, <paramref name="lda"/> apart) as the 24
    /// contiguous values they become, in three 32-byte stores where a step at a time takes a 16- and an 8-byte store:
    /// stores bound this copy (docs/design-notes.md). Each
    /// vector is two overlapping loads blended; the loads reach up to six values past the tile in the first three rows
    /// and up to six before it in the last three, which is always inside the stored matrix: those rows have a stored
    /// row after them (the fourth) or before them (the first), and a row's padding up to lda is part of the matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopySixWideTileFourSteps(float* s, nint lda, float* d)
    {
        float* r1 = s + lda, r2 = s + (2 * lda), r3 = s + (3 * lda);
        Avx.Store(d, Avx.Blend(Avx.LoadVector256(s), Avx.LoadVector256(r1 - 6), 0b1100_0000));
        Avx.Store(d + 8, Avx.Blend(Avx.LoadVector256(r1 + 2), Avx.LoadVector256(r2 - 4), 0b1111_0000));
        Avx.Store(d + 16, Avx.Blend(Avx.LoadVector256(r2 + 4), Avx.LoadVector256(r3 - 2), 0b1111_1100));
    }

    /// <summary>One k step of a whole tile: 4, 6 or 8 contiguous values in one or two moves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyTileRow<TRows>(float* src, float* dst)
        where TRows : struct, ICount
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            for (int r = 0; r < TRows.Value; r++)
            {
                dst[r] = src[r];
            }
        }
        else if (TRows.Value == 8 && Vector256.IsHardwareAccelerated)
        {
            Vector256.Store(Vector256.Load(src), dst);
        }
        else
        {
            Vector128.Store(Vector128.Load(src), dst);
            if (TRows.Value == 6)
            {
                Unsafe.WriteUnaligned(dst + 4, Unsafe.ReadUnaligned<ulong>(src + 4));
            }
            else if (TRows.Value == 8)
            {
                Vector128.Store(Vector128.Load(src + 4), dst + 4);
            }
        }
    }

    /// <summary>One k step of a tile shorter than MR: its <paramref name="rows"/> contiguous values, in vectors where they can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShortTileRow(float* src, float* dst, int rows)
    {
        int r = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; r + 4 <= rows; r += 4)
            {
                Vector128.Store(Vector128.Load(src + r), dst + r);
            }

            if (r + 2 <= rows)
            {
                Unsafe.WriteUnaligned(dst + r, Unsafe.ReadUnaligned<ulong>(src + r));
                r += 2;
            }
        }

        for (; r < rows; r++)
        {
            dst[r] = src[r];
        }
    }
}

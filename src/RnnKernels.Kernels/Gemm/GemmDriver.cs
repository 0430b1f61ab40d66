using System.Runtime.CompilerServices;
namespace RnnKernels.Kernels;

/// <summary>
/// The five BLIS loops around a micro-kernel (jc over NC, pc over KC, ic over MC, jr over NR, ir over MR), with
/// packing and edge tiles. Arguments are already validated; pointers cover exactly what the shapes need.
/// </summary>
/// <typeparam name="TKernel">The register-tile micro-kernel; a struct so the JIT specialises and inlines per ISA.</typeparam>
internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IGemmMicroKernel
{
    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C for m, n, k &gt; 0. When M fits in one A block (the batch x weights shape
    /// RNNs live on), an untransposed B's full micro-panels are read in place, NR contiguous values per stored row, as
    /// BLIS's small-matrix path does: with so few row tiles per panel, copying the panel cost more than the tiles
    /// reading it from L2. The exception is a row stride that is a
    /// multiple of 4 KiB with more than one row tile: every row of the panel then maps to the same few cache sets, so
    /// the panels are packed <see cref="GemmGeometry.PanelGroupColumns"/> columns at a time just before their row tiles
    /// use them, eight stored rows at a time (<see cref="GemmPacking.PackB"/>; packing them one by one, kc rows ldb
    /// apart, was much slower: docs/design-notes.md). A transposed B's panels and the narrow
    /// last one are packed one at a time just before use. With larger M the whole KC x NC block of B is packed once and
    /// reused by every A block. When <paramref name="packedB"/> holds panels packed beforehand, B is not read or packed
    /// at all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, PackedPanels packedB = default)
    {
        int mrSize = TKernel.MR, nrSize = TKernel.NR;
        bool prepacked = packedB.Data != null;
        bool packWholeB = m > TKernel.MC && !prepacked;
        bool readBInPlace = transB == Transpose.No && !packWholeB && !prepacked && (m <= mrSize || ldb % 1024 != 0); // 1024 floats = 4 KiB
        GemmScratch scratch = GemmScratch.Rent();
        float* packedA = scratch.PackedA(GemmPacking.PackedAFloats(TKernel.MC, mrSize, TKernel.KC));
        float* packedBlock = prepacked ? null
            : packWholeB ? scratch.BlockB(TKernel.KC * TKernel.NC) : scratch.PanelGroupB(TKernel.KC * GemmGeometry.PanelGroupColumns);
        float* tile = stackalloc float[mrSize * nrSize];

        for (int jc = 0; jc < n; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, n - jc);
            for (int pc = 0; pc < k; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, k - pc);
                float betaBlock = pc == 0 ? beta : 1f; // beta applies once; later k blocks accumulate.
                if (packWholeB)
                {
                    GemmPacking.PackB(transB, b, ldb, pc, jc, kc, nc, nrSize, packedBlock);
                }

                for (int ic = 0; ic < m; ic += TKernel.MC)
                {
                    int mc = Math.Min(TKernel.MC, m - ic);
                    GemmPacking.PackA(transA, a, lda, ic, pc, mc, kc, mrSize, TKernel.RunsEveryRowCount, packedA);
                    for (int jr = 0; jr < nc; jr += nrSize)
                    {
                        int nr = Math.Min(nrSize, nc - jr);
                        float* panelB = packedBlock;
                        nint panelStride = nrSize;
                        if (prepacked)
                        {
                            panelB = packedB.Panel(pc, kc, jc + jr);
                        }
                        else if (packWholeB)
                        {
                            panelB += (nint)jr * kc;
                        }
                        else if (readBInPlace && nr == nrSize)
                        {
                            panelB = b + (pc * ldb) + jc + jr;
                            panelStride = ldb;
                        }
                        else if (transB == Transpose.No && nr == nrSize)
                        {
                            int inGroup = jr % GemmGeometry.PanelGroupColumns;
                            if (inGroup == 0)
                            {
                                int groupColumns = Math.Min(GemmGeometry.PanelGroupColumns, (nc - jr) / nrSize * nrSize);
                                GemmPacking.PackB(transB, b, ldb, pc, jc + jr, kc, groupColumns, nrSize, packedBlock);
                            }

                            panelB += (nint)inGroup * kc;
                        }
                        else
                        {
                            GemmPacking.PackBPanel(transB, b, ldb, pc, jc + jr, kc, nr, nrSize, panelB);
                        }

                        for (int ir = 0, mr, tileIndex = 0; ir < mc; ir += mr, tileIndex++)
                        {
                            mr = RowTiles.Next(mc - ir, mrSize, TKernel.RunsEveryRowCount);
                            float* panelA = packedA + (tileIndex * GemmPacking.TileStride(mrSize, kc));
                            float* cTile = c + ((ic + ir) * ldc) + jc + jr;
                            if (mr == mrSize && nr == nrSize)
                            {
                                TKernel.Run(kc, panelA, panelB, panelStride, cTile, ldc, alpha, betaBlock);
                            }
                            else if (nr != nrSize || !TKernel.TryRunRows(mr, kc, panelA, panelB, panelStride, cTile, ldc, alpha, betaBlock))
                            {
                                // A short tile of a kernel that computes any row count is computed as such: its
                                // packed panel holds only its own rows (GemmPacking.PackA).
                                if ((nr > nrSize / 2 || !TKernel.TryRunHalfWidth(mr, kc, panelA, panelB, panelStride, tile, nrSize, alpha, 0f))
                                    && !TKernel.TryRunRows(mr, kc, panelA, panelB, panelStride, tile, nrSize, alpha, 0f))
                                {
                                    TKernel.Run(kc, panelA, panelB, panelStride, tile, nrSize, alpha, 0f);
                                }

                                MergeEdge(tile, nrSize, mr, nr, betaBlock, cTile, ldc);
                            }
                        }
                    }
                }
            }
        }

        // Not in a finally: an exception here is a bug that leaves the set to the garbage collector, which is safe.
        GemmScratch.Return(scratch);
    }

    /// <summary>Writes the valid mr x nr part of a computed tile into C: C = tile + beta * C (beta == 0 never reads C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int ldt, int mr, int nr, float beta, float* c, nint ldc)
    {
        for (int i = 0; i < mr; i++)
        {
            float* src = tile + (i * ldt);
            float* dst = c + (i * ldc);
            if (beta == 0f)
            {
                for (int j = 0; j < nr; j++)
                {
                    dst[j] = src[j];
                }
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    dst[j] = src[j] + (beta * dst[j]);
                }
            }
        }
    }
}

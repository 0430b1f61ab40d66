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
    /// C = alpha * op(A) * op(B) + beta * C for m, n, k &gt; 0, B's micro-panels from the source chosen once before the
    /// loops (<see cref="BPanelSource"/>; <paramref name="packedB"/> holds panels packed beforehand, if any).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, PackedPanels packedB = default)
    {
        int mrSize = TKernel.MR, nrSize = TKernel.NR;
        GemmScratch scratch = GemmScratch.Rent();
        float* packedA = scratch.PackedA(GemmPacking.PackedAFloats(TKernel.MC, mrSize, TKernel.KC));
        BPanelSource source = BPanelSource.Choose<TKernel>(transB, m, b, ldb, packedB, scratch);
        float* tile = stackalloc float[mrSize * nrSize];

        for (int jc = 0; jc < n; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, n - jc);
            for (int pc = 0; pc < k; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, k - pc);
                float betaBlock = pc == 0 ? beta : 1f; // beta applies once; later k blocks accumulate.
                source.StartBlock(pc, jc, kc, nc);
                for (int ic = 0; ic < m; ic += TKernel.MC)
                {
                    int mc = Math.Min(TKernel.MC, m - ic);
                    GemmPacking.PackA(transA, a, lda, ic, pc, mc, kc, mrSize, TKernel.RunsEveryRowCount, packedA);
                    for (int jr = 0; jr < nc; jr += nrSize)
                    {
                        int nr = Math.Min(nrSize, nc - jr);
                        float* panelB = source.Panel(pc, kc, jc, jr, nc, nr, out nint panelStride);
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

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
    /// C = alpha * op(A) * op(B) + beta * C for m, n, k &gt; 0. With B stored untransposed and M within one A block,
    /// B is read in place instead of packed: the small-M (batch x weights) shape RNNs live on then pays no packing.
    /// </summary>
    public static void Run(
        Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        int mrSize = TKernel.MR, nrSize = TKernel.NR;
        bool packB = transB == Transpose.Yes || m > TKernel.MC;
        float* packedA = GemmScratch.PackedA(TKernel.MC * TKernel.KC);
        float* packedB = packB ? GemmScratch.PackedB(TKernel.KC * TKernel.NC) : null;
        float* edgeB = GemmScratch.Edge(TKernel.KC * nrSize);
        float* tile = stackalloc float[mrSize * nrSize];

        for (int jc = 0; jc < n; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, n - jc);
            for (int pc = 0; pc < k; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, k - pc);
                float betaBlock = pc == 0 ? beta : 1f; // beta applies once; later k blocks accumulate.
                if (packB)
                {
                    GemmPacking.PackB(transB, b, ldb, pc, jc, kc, nc, nrSize, packedB);
                }

                for (int ic = 0; ic < m; ic += TKernel.MC)
                {
                    int mc = Math.Min(TKernel.MC, m - ic);
                    GemmPacking.PackA(transA, a, lda, ic, pc, mc, kc, mrSize, packedA);
                    for (int jr = 0; jr < nc; jr += nrSize)
                    {
                        int nr = Math.Min(nrSize, nc - jr);
                        float* panelB;
                        nint bs;
                        if (packB)
                        {
                            panelB = packedB + ((nint)jr * kc);
                            bs = nrSize;
                        }
                        else if (nr == nrSize)
                        {
                            panelB = b + (pc * ldb) + jc + jr;
                            bs = ldb;
                        }
                        else
                        {
                            // An in-place read of a partial strip would run past the last row of B: pad it instead.
                            GemmPacking.PackBPanel(transB, b, ldb, pc, jc + jr, kc, nr, nrSize, edgeB);
                            panelB = edgeB;
                            bs = nrSize;
                        }

                        for (int ir = 0; ir < mc; ir += mrSize)
                        {
                            int mr = Math.Min(mrSize, mc - ir);
                            float* panelA = packedA + ((nint)ir * kc);
                            float* cTile = c + ((ic + ir) * ldc) + jc + jr;
                            if (mr == mrSize && nr == nrSize)
                            {
                                TKernel.Run(kc, panelA, panelB, bs, cTile, ldc, alpha, betaBlock);
                            }
                            else
                            {
                                TKernel.Run(kc, panelA, panelB, bs, tile, nrSize, alpha, 0f);
                                MergeEdge(tile, nrSize, mr, nr, betaBlock, cTile, ldc);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Writes the valid mr x nr part of a computed tile into C: C = tile + beta * C (beta == 0 never reads C).</summary>
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

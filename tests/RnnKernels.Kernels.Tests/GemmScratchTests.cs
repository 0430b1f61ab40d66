using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>Tests of the process-wide GEMM scratch cache, which any product on any thread uses: nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(ScratchCacheMeasurements), DisableParallelization = true)]
public sealed class ScratchCacheMeasurements;

/// <summary>GEMM packing scratch is bounded by concurrent products, not by the threads that ever ran one, and can be released.</summary>
[Collection(nameof(ScratchCacheMeasurements))]
public sealed class GemmScratchTests
{
    [Fact]
    public void ThreadsTakingTurnsShareOneScratchSetAndTrimReleasesIt()
    {
        // 200 rows: more than one A block, so the whole KC x NC block of B is packed (the largest scratch).
        const int M = 200, N = 300, K = 300;
        var random = new Random(1);
        float[] a = [.. Enumerable.Range(0, M * K).Select(_ => random.NextSingle())];
        float[] b = [.. Enumerable.Range(0, K * N).Select(_ => random.NextSingle())];
        float[] expected = new float[M * N];
        Gemm.TrimScratch();
        Gemm.Compute(Transpose.No, Transpose.No, M, N, K, 1f, a, K, b, N, 0f, expected, N);
        long oneSet = Gemm.CachedScratchBytes;
        Assert.True(oneSet > 1_000_000, $"a product of {M} rows cached {oneSet} bytes");

        for (int i = 0; i < 6; i++)
        {
            var thread = new Thread(() =>
            {
                float[] c = new float[M * N];
                Gemm.Compute(Transpose.No, Transpose.No, M, N, K, 1f, a, K, b, N, 0f, c, N);
                Assert.Equal(expected, c);
            });
            thread.Start();
            thread.Join();
        }

        // Six threads, one after another: still the one set (per-thread buffers would have kept six).
        Assert.Equal(oneSet, Gemm.CachedScratchBytes);

        Gemm.TrimScratch();
        Assert.Equal(0, Gemm.CachedScratchBytes);
        float[] again = new float[M * N];
        Gemm.Compute(Transpose.No, Transpose.No, M, N, K, 1f, a, K, b, N, 0f, again, N);
        Assert.Equal(expected, again);
    }
}

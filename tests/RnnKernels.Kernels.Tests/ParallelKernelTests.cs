using RnnKernels.Kernels;
using RnnKernels.Testing;

namespace RnnKernels.Kernels.Tests;

/// <summary>Kernels split over a worker pool give the same bits as on one thread, for any thread count.</summary>
public sealed class ParallelKernelTests
{
    [Fact]
    public void SoftmaxCrossEntropyRowsSplitIsBitwiseIdentical()
    {
        var random = new Random(9);
        const int Rows = 301, Classes = 257;
        float[] logits = Enumerable.Range(0, Rows * Classes).Select(_ => (random.NextSingle() * 20) - 10).ToArray();
        int[] targets = Enumerable.Range(0, Rows).Select(r => r % 17 == 0 ? -1 : random.Next(Classes)).ToArray();
        float[] expected = new float[logits.Length];
        double expectedLoss = SoftmaxCrossEntropy.Compute(logits, targets, Classes, 1f, expected);
        for (int threads = 2; threads <= 3; threads++)
        {
            using var pool = new WorkerPool(threads);
            float[] gradient = new float[logits.Length];
            double loss = SoftmaxCrossEntropy.Compute(logits, targets, Classes, 1f, gradient, pool);
            Assert.Equal(expectedLoss, loss);
            Assert.Equal(expected, gradient);
            Assert.Equal(0, SteadyStateAllocation.PerCall(() => SoftmaxCrossEntropy.Compute(logits, targets, Classes, 1f, gradient, pool)));
        }
    }

    [Fact]
    public void RegionsAreRightWhetherWorkersSpinOrSleepBetweenThem()
    {
        // Back-to-back regions find the workers spinning; after a pause of a few milliseconds they have gone to sleep
        // and must be woken. Mixing both, many times over, exercises every interleaving of Set and Wait.
        var random = new Random(4);
        const int M = 64, N = 96, K = 100; // Above the size at which the GEMM goes parallel.
        float[] a = Enumerable.Range(0, M * K).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, K * N).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] expected = new float[M * N], c = new float[M * N];
        Gemm.Compute(Transpose.No, Transpose.No, M, N, K, 1f, a, K, b, N, 0f, expected, N);
        for (int threads = 2; threads <= 3; threads++)
        {
            using var pool = new WorkerPool(threads);
            for (int region = 0; region < 300; region++)
            {
                if (region % 25 == 0)
                {
                    Thread.Sleep(5);
                }

                c.AsSpan().Fill(float.NaN);
                Gemm.Compute(Transpose.No, Transpose.No, M, N, K, 1f, a, K, b, N, 0f, c, N, pool);
                Assert.Equal(expected, c);
            }
        }
    }

    [Theory]
    [InlineData(1, 7000, 90)] // M = 1: column strips of the GEMV.
    [InlineData(1, 65, 8100)] // M = 1 whose last strip would be one column (AVX2, two threads): it joins the one before.
    [InlineData(1, 129, 4100)] // The same on AVX-512 (strips of 64 columns).
    [InlineData(150, 333, 90)] // Wide: column strips.
    [InlineData(333, 64, 90)] // Tall: row strips.
    [InlineData(150, 333, 0)] // k = 0: C = beta C, still final block by block.
    public void EpilogueSeesEveryElementOnceAndOnlyWhenFinal(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        float[] a = Enumerable.Range(0, Math.Max(1, m * k)).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, Math.Max(1, k * n)).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] start = Enumerable.Range(0, m * n).Select(_ => random.NextSingle()).ToArray();
        float[] expected = (float[])start.Clone();
        Gemm.Compute(Transpose.No, Transpose.No, m, n, k, 1f, a, Math.Max(1, k), b, n, 0.5f, expected, n);
        for (int threads = 1; threads <= 3; threads++)
        {
            using WorkerPool? pool = threads > 1 ? new WorkerPool(threads) : null;
            float[] c = (float[])start.Clone();
            var copy = new CopyingEpilogue(c, n);
            Gemm.Compute(Transpose.No, Transpose.No, m, n, k, 1f, a, Math.Max(1, k), b, n, 0.5f, c, n, pool, copy);
            Assert.Equal(expected, copy.Seen);
            Assert.All(copy.Visits, v => Assert.Equal(1, v));
        }
    }

    [Theory]
    [InlineData(64, 512, 512, PackedLayout.Panels)] // The recurrent step of large-b64: row strips over a shared packed B.
    [InlineData(9, 100, 300, PackedLayout.Panels)] // Two row strips of unequal height.
    [InlineData(1, 7000, 90, PackedLayout.Panels)] // One row: column strips of the packed panels.
    [InlineData(1, 7000, 90, PackedLayout.OneRow)] // One row: whole column groups per thread.
    [InlineData(1, 2048, 512, PackedLayout.OneRow)] // An LSTM step at batch 1, H = 512.
    public void PackedProductsAndPackingSplitBitwiseIdentically(int m, int n, int k, PackedLayout layout)
    {
        var random = new Random(m + n + k);
        float[] a = Enumerable.Range(0, m * k).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] start = Enumerable.Range(0, m * n).Select(_ => random.NextSingle()).ToArray();
        var serial = new PackedMatrix(k, n, layout);
        serial.Pack(Transpose.Yes, k, n, b, k);
        float[] expected = (float[])start.Clone();
        Gemm.Compute(Transpose.No, m, 1f, a, k, serial, 0.5f, expected, n);
        for (int threads = 2; threads <= 3; threads++)
        {
            using var pool = new WorkerPool(threads);
            var packed = new PackedMatrix(k, n, layout);
            packed.Pack(Transpose.Yes, k, n, b, k, pool);
            float[] c = (float[])start.Clone();
            var copy = new CopyingEpilogue(c, n);
            Gemm.Compute(Transpose.No, m, 1f, a, k, packed, 0.5f, c, n, pool, copy);
            Assert.Equal(expected, copy.Seen);
            Assert.All(copy.Visits, v => Assert.Equal(1, v));
            Assert.Equal(0, SteadyStateAllocation.PerCall(() =>
            {
                packed.Pack(Transpose.Yes, k, n, b, k, pool);
                Gemm.Compute(Transpose.No, m, 1f, a, k, packed, 0.5f, c, n, pool);
            }));
        }
    }

    [Fact]
    public void RunExecutesEachPartOnceAndRejectsBadPartsAndNullWork()
    {
        using var pool = new WorkerPool(3);
        var work = new CountingWork(3);
        pool.Run(work, 3);
        Assert.Equal([1, 1, 1], work.Runs);
        pool.Run(work, 2);
        Assert.Equal([2, 2, 1], work.Runs);
        Assert.Throws<ArgumentNullException>(() => pool.Run(null!, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(work, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(work, 4));
    }

    [Fact]
    public void RejectsBadArgumentsBeforeAnyThreadRunsAndRefusesAfterDispose()
    {
        var pool = new WorkerPool(2);
        float[] logits = new float[300 * 300];
        int[] targets = new int[300];
        // A destination that is too short is rejected before any thread runs.
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Compute(logits, targets, 300, 1f, new float[10], pool));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SoftmaxCrossEntropy.Compute(logits, targets, 300, 1f, logits, pool));
    }

    /// <summary>Copies each block it is given, so a block applied before it was final, or twice, shows.</summary>
    private sealed class CopyingEpilogue(float[] c, int ldc) : IGemmEpilogue
    {
        public float[] Seen { get; } = new float[c.Length];

        public int[] Visits { get; } = new int[c.Length];

        public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
        {
            for (int r = rowStart; r < rowStart + rowCount; r++)
            {
                for (int j = columnStart; j < columnStart + columnCount; j++)
                {
                    Seen[(r * ldc) + j] = c[(r * ldc) + j];
                    Interlocked.Increment(ref Visits[(r * ldc) + j]);
                }
            }
        }
    }

    private sealed class CountingWork(int maxParts) : IParallelWork
    {
        public int[] Runs { get; } = new int[maxParts];

        public void Execute(int part, int parts) => Interlocked.Increment(ref Runs[part]);
    }
}

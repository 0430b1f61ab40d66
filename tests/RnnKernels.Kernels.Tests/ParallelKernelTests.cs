using RnnKernels.Kernels;

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
            long before = GC.GetAllocatedBytesForCurrentThread();
            SoftmaxCrossEntropy.Compute(logits, targets, Classes, 1f, gradient, pool);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
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
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>When two independent backward products go side by side, one whole product per thread.</summary>
internal static class ProductPairs
{
    // Below about a million multiply-adds per product (tens of microseconds) waking the second thread costs more than
    // the overlap saves: charrnn and small-b1 ran slower on two threads than on one before this limit.
    private const long MinimumMultiplyAdds = 1L << 20;

    /// <summary>The pool to run a pair on (a two-thread pool, when the smaller product is worth a thread of its own), or null.</summary>
    public static WorkerPool? PoolFor(WorkerPool? pool, long smallerProductMultiplyAdds) =>
        pool is { DegreeOfParallelism: 2 } && smallerProductMultiplyAdds >= MinimumMultiplyAdds ? pool : null;
}

using System.Runtime.CompilerServices;
namespace RnnKernels.Kernels;

/// <summary>Softmax cross-entropy over rows of logits, with its gradient, row by row.</summary>
public static class SoftmaxCrossEntropy
{
    // Below this many logits the wake-up of the workers costs more than it saves.
    private const long MinimumParallelWork = 1 << 16;

    /// <summary>
    /// For each row r of the rows x classes matrix of logits: loss_r = logsumexp(z_r) - z_r[target_r] and
    /// dz_r = scale * (softmax(z_r) - onehot(target_r)). A negative target marks a padded row: it adds no loss and
    /// gets a zero gradient (this is how steps past a sequence's length are masked).
    /// </summary>
    /// <param name="logits">rows x classes, row-major, contiguous.</param>
    /// <param name="targets">Class index per row (0..classes-1), or negative to ignore the row.</param>
    /// <param name="classes">Number of classes (columns).</param>
    /// <param name="scale">Factor on the gradient (1 for a loss summed over rows).</param>
    /// <param name="dLogits">Gradient, same shape as <paramref name="logits"/>; may be <paramref name="logits"/> itself.</param>
    /// <returns>The summed loss of the rows, in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target is not below <paramref name="classes"/>.</exception>
    public static double Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, float scale, Span<float> dLogits) =>
        Compute(logits, targets, classes, scale, dLogits, null);

    /// <summary>
    /// The same, with rows split over the threads of <paramref name="pool"/>. Each row is computed exactly as on one
    /// thread and the row losses are summed in row order, so results are bitwise identical for any thread count.
    /// </summary>
    /// <param name="logits">rows x classes, row-major, contiguous.</param>
    /// <param name="targets">Class index per row (0..classes-1), or negative to ignore the row.</param>
    /// <param name="classes">Number of classes (columns).</param>
    /// <param name="scale">Factor on the gradient (1 for a loss summed over rows).</param>
    /// <param name="dLogits">Gradient, same shape as <paramref name="logits"/>; may be <paramref name="logits"/> itself.</param>
    /// <param name="pool">Worker threads, or null for the calling thread only.</param>
    /// <returns>The summed loss of the rows, in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException">classes is not positive, or a target is not below classes.</exception>
    /// <exception cref="ArgumentException">logits does not hold targets.Length x classes values, dLogits is too short, or the two partially overlap.</exception>
    /// <exception cref="InvalidOperationException">Called from a part of a region on the same pool.</exception>
    /// <exception cref="ObjectDisposedException">pool has been disposed.</exception>
    public static double Compute(
        ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, float scale, Span<float> dLogits, WorkerPool? pool) =>
        Compute(KernelTiers.Best, logits, targets, classes, scale, dLogits, pool);

    /// <summary>The same on a chosen instruction-set tier (tests and benchmarks run every tier).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe double Compute(
        IsaTier tier, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, float scale, Span<float> dLogits, WorkerPool? pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        int rows = targets.Length;
        if ((long)rows * classes != logits.Length)
        {
            throw new ArgumentException(
                $"logits must hold targets.Length x classes = {rows} x {classes} values, but it has {logits.Length}.", nameof(logits));
        }

        SpanChecks.UnaryMap(logits, dLogits, nameof(logits), nameof(dLogits));
        foreach (int t in targets)
        {
            if (t >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"targets must be below classes ({classes}), but one is {t}.");
            }
        }

        if (pool is not null && pool.DegreeOfParallelism > 1 && (long)rows * classes >= MinimumParallelWork)
        {
            fixed (float* z = logits, dz = dLogits)
            fixed (int* t = targets)
            {
                using Lock.Scope region = pool.EnterRegion();
                SoftmaxParallelWork work = pool.Work<SoftmaxParallelWork>();
                work.Set(tier, z, t, rows, classes, scale, dz);
                pool.Run(work, Math.Min(pool.DegreeOfParallelism, rows));
                return work.SumInRowOrder();
            }
        }

        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            loss += SoftmaxRow.Compute(tier, logits.Slice(r * classes, classes), targets[r], scale, dLogits.Slice(r * classes, classes));
        }

        return loss;
    }
}

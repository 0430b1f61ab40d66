namespace RnnKernels.Kernels;

/// <summary>Softmax cross-entropy over rows of logits, with its gradient, in one pass per row.</summary>
public static class SoftmaxCrossEntropy
{
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
    public static double Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, float scale, Span<float> dLogits)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        int rows = targets.Length;
        if ((long)rows * classes != logits.Length)
        {
            throw new ArgumentException(
                $"logits must hold targets.Length x classes = {rows} x {classes} values, but it has {logits.Length}.", nameof(logits));
        }

        SpanChecks.DestinationLongEnough(logits.Length, dLogits.Length, nameof(dLogits));
        SpanChecks.NoPartialOverlap(logits, dLogits, nameof(logits), nameof(dLogits));
        foreach (int t in targets)
        {
            if (t >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"targets must be below classes ({classes}), but one is {t}.");
            }
        }

        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
            Span<float> dz = dLogits.Slice(r * classes, classes);
            int target = targets[r];
            if (target < 0)
            {
                dz.Clear();
                continue;
            }

            float max = Reductions.Max(z);
            float zt = z[target];
            Elementwise.AddScalar(z, -max, dz);
            ElementwiseDriver.Unary<ExpOperator>(KernelPaths.Best, dz, dz);
            double sum = 0;
            foreach (float e in dz)
            {
                sum += e;
            }

            loss += Math.Log(sum) - (zt - max);
            Elementwise.Scale(dz, (float)(scale / sum), dz);
            dz[target] -= scale;
        }

        return loss;
    }
}

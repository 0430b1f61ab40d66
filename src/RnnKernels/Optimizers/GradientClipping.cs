using RnnKernels.Kernels;

namespace RnnKernels.Optimizers;

/// <summary>Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradients"/> by maxNorm / (norm + 1e-6) when their L2 norm exceeds
    /// <paramref name="maxNorm"/>. A non-finite norm leaves them untouched (the caller should skip the step).
    /// </summary>
    /// <param name="gradients">All gradients, flat; scaled in place.</param>
    /// <param name="maxNorm">Largest allowed norm (&gt; 0).</param>
    /// <returns>The norm before clipping.</returns>
    public static double ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be positive.");
        }

        double norm = Math.Sqrt(Reductions.SumOfSquares(gradients));
        Clip(gradients, norm, maxNorm);
        return norm;
    }

    /// <summary>The scaling step alone, for callers that already know the norm.</summary>
    /// <param name="gradients">All gradients, flat; scaled in place when <paramref name="norm"/> exceeds <paramref name="maxNorm"/>.</param>
    /// <param name="norm">Their global L2 norm.</param>
    /// <param name="maxNorm">Largest allowed norm.</param>
    public static void Clip(Span<float> gradients, double norm, float maxNorm)
    {
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            Elementwise.Scale(gradients, (float)(maxNorm / (norm + 1e-6)), gradients);
        }
    }
}

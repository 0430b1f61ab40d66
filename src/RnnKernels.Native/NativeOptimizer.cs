using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels.Native;

/// <summary>An optimizer handle's object: the optimizer, the model it updates, and its gradient clipping.</summary>
internal sealed class NativeOptimizer(IOptimizer optimizer, RnnModel model, float clipNorm)
{
    public IOptimizer Optimizer { get; } = optimizer;

    public RnnModel Model { get; } = model;

    /// <summary>
    /// Clips the engine's gradients to the global norm (when set) and applies one update; a non-finite gradient is
    /// refused before it reaches the weights. Returns the norm before clipping.
    /// </summary>
    /// <exception cref="ArgumentException">The engine trains another model.</exception>
    /// <exception cref="InvalidOperationException">A gradient is not finite (nothing was updated).</exception>
    public double Step(RnnEngine engine)
    {
        if (!ReferenceEquals(engine.Model, Model))
        {
            throw new ArgumentException("the engine computes gradients of another model than the one this optimizer updates.", nameof(engine));
        }

        float[] gradients = engine.Gradients;
        double norm = Math.Sqrt(Reductions.SumOfSquares(gradients));
        if (!double.IsFinite(norm))
        {
            throw new InvalidOperationException("the gradients are not finite (norm " + norm + "); the update was skipped and the weights are unchanged.");
        }

        if (clipNorm > 0)
        {
            GradientClipping.Clip(gradients, norm, clipNorm);
        }

        Optimizer.Step(Model.Parameters, gradients);
        return norm;
    }
}

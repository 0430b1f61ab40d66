using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels;

/// <summary>
/// One training step on a cross-entropy task: zero gradients, forward, BPTT, optional clipping by global norm, and
/// an optimizer update, with a guard that keeps non-finite losses or gradients away from the weights.
/// Allocation-free per step. Not thread-safe.
/// </summary>
public sealed class Trainer
{
    /// <summary>Creates a trainer.</summary>
    /// <param name="engine">The engine (and through it the model) to train.</param>
    /// <param name="optimizer">Updates the model's parameters.</param>
    /// <param name="clipNorm">Largest global gradient norm, or 0 for no clipping.</param>
    public Trainer(RnnEngine engine, IOptimizer optimizer, float clipNorm = 0f)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.Length != engine.Gradients.Length)
        {
            throw new ArgumentException($"optimizer was built for {optimizer.Length} parameters, the model has {engine.Gradients.Length}.", nameof(optimizer));
        }

        if (!(clipNorm >= 0) || !float.IsFinite(clipNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clipNorm must be 0 (off) or a positive finite number.");
        }

        Engine = engine;
        Optimizer = optimizer;
        ClipNorm = clipNorm;
    }

    /// <summary>The engine.</summary>
    public RnnEngine Engine { get; }

    /// <summary>The optimizer.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Largest global gradient norm, 0 when off.</summary>
    public float ClipNorm { get; }

    /// <summary>Runs one step on a batch with class targets.</summary>
    /// <param name="inputs">x [T, B, I].</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="targets">Classes [T, B].</param>
    /// <param name="initialState">h0 [L*D, B, H], or empty for zeros (truncated BPTT passes the previous chunk's h_n).</param>
    /// <returns>Loss, gradient norm, and whether the update was applied.</returns>
    public TrainStepResult Step(ReadOnlySpan<float> inputs, int steps, int batch, ReadOnlySpan<int> targets, ReadOnlySpan<float> initialState = default)
    {
        RnnEngine engine = Engine;
        engine.ZeroGradients();
        engine.Forward(inputs, steps, batch, default, initialState);
        double loss = engine.BackwardCrossEntropy(targets);
        double norm = Math.Sqrt(Reductions.SumOfSquares(engine.Gradients));
        if (!double.IsFinite(loss) || !double.IsFinite(norm))
        {
            return new TrainStepResult(loss, norm, Applied: false);
        }

        if (ClipNorm > 0)
        {
            GradientClipping.Clip(engine.Gradients, norm, ClipNorm);
        }

        Optimizer.Step(engine.Model.Parameters, engine.Gradients);
        return new TrainStepResult(loss, norm, Applied: true);
    }
}

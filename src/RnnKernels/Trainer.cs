using RnnKernels.Kernels;
using RnnKernels.Optimizers;

namespace RnnKernels;

/// <summary>
/// One training step: zero gradients, forward, BPTT, optional clipping by global norm, and an optimizer update, with a
/// guard that keeps non-finite losses or gradients away from the weights. For class targets (softmax cross-entropy)
/// and float targets (squared error), with optional lengths and initial state. Allocation-free per step.
/// </summary>
/// <remarks>Single-threaded: a step that overlaps another on the same trainer throws <see cref="InvalidOperationException"/>.</remarks>
public sealed class Trainer
{
    private int _inUse;

    /// <summary>Creates a trainer.</summary>
    /// <param name="engine">The engine (and through it the model) to train.</param>
    /// <param name="optimizer">Updates the model's parameters.</param>
    /// <param name="clipNorm">Largest global gradient norm, or 0 for no clipping.</param>
    /// <param name="gradientScale">Factor applied to the summed gradients before the norm is taken, clipped and
    /// stepped on: 1 trains on the loss summed over steps and batch, 1/(T*B) on its mean per step (what
    /// <c>loss.mean()</c> gives in PyTorch), so that a clip norm means what it does there.</param>
    /// <exception cref="ArgumentNullException">engine or optimizer is null.</exception>
    /// <exception cref="ArgumentException">The optimizer was built for another number of parameters.</exception>
    /// <exception cref="ArgumentOutOfRangeException">clipNorm is negative or not finite, or gradientScale is not positive and finite.</exception>
    public Trainer(RnnEngine engine, IOptimizer optimizer, float clipNorm = 0f, float gradientScale = 1f)
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

        if (!(gradientScale > 0) || !float.IsFinite(gradientScale))
        {
            throw new ArgumentOutOfRangeException(nameof(gradientScale), gradientScale, "gradientScale must be a positive finite number.");
        }

        Engine = engine;
        Optimizer = optimizer;
        ClipNorm = clipNorm;
        GradientScale = gradientScale;
    }

    /// <summary>The engine.</summary>
    public RnnEngine Engine { get; }

    /// <summary>The optimizer.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Largest global gradient norm, 0 when off.</summary>
    public float ClipNorm { get; }

    /// <summary>Factor on the summed gradients before clipping and the update (1 = summed loss).</summary>
    public float GradientScale { get; }

    /// <summary>Runs one step on a batch with class targets (softmax cross-entropy).</summary>
    /// <param name="inputs">x [T, B, I].</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="targets">Classes [T, B] (values at padded steps are ignored).</param>
    /// <param name="initialState">h0 [L*D, B, H], or empty for zeros (truncated BPTT passes the previous chunk's h_n).</param>
    /// <param name="lengths">Per entry its length in 1..T, or empty when all are T.</param>
    /// <param name="initialCellState">c0 [L*D, B, H] of an LSTM, or empty for zeros (truncated BPTT passes the previous chunk's c_n).</param>
    /// <returns>Loss summed over the batch, gradient norm (after <see cref="GradientScale"/>, before clipping), and whether the update was applied.</returns>
    /// <exception cref="ArgumentException">A span does not match the shape, or a target is not a class.</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this trainer or its engine, or the
    /// model has one output unit (cross-entropy over one class is always 0: use the squared-error overload).</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public TrainStepResult Step(
        ReadOnlySpan<float> inputs, int steps, int batch, ReadOnlySpan<int> targets, ReadOnlySpan<float> initialState = default,
        ReadOnlySpan<int> lengths = default, ReadOnlySpan<float> initialCellState = default)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        RnnEngine.EnsureClasses(Engine.Model.Shape);
        return Update(Forward(inputs, steps, batch, initialState, lengths, initialCellState).BackwardCrossEntropy(targets));
    }

    /// <summary>Runs one step on a batch with float targets (squared error summed over outputs).</summary>
    /// <param name="inputs">x [T, B, I].</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="targets">y [T, B, O] (values at padded steps are ignored).</param>
    /// <param name="initialState">h0 [L*D, B, H], or empty for zeros.</param>
    /// <param name="lengths">Per entry its length in 1..T, or empty when all are T.</param>
    /// <param name="initialCellState">c0 [L*D, B, H] of an LSTM, or empty for zeros.</param>
    /// <returns>Loss summed over the batch, gradient norm (after <see cref="GradientScale"/>, before clipping), and whether the update was applied.</returns>
    /// <exception cref="ArgumentException">A span does not match the shape.</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this trainer or its engine.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public TrainStepResult Step(
        ReadOnlySpan<float> inputs, int steps, int batch, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialState = default,
        ReadOnlySpan<int> lengths = default, ReadOnlySpan<float> initialCellState = default)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        return Update(Forward(inputs, steps, batch, initialState, lengths, initialCellState).BackwardSquaredError(targets));
    }

    /// <summary>Clears the gradients and runs the forward pass: what every step does before its loss.</summary>
    private RnnEngine Forward(
        ReadOnlySpan<float> inputs, int steps, int batch, ReadOnlySpan<float> initialState, ReadOnlySpan<int> lengths, ReadOnlySpan<float> initialCellState)
    {
        RnnEngine engine = Engine;
        engine.ZeroGradients();
        engine.Forward(inputs, steps, batch, lengths, initialState, initialCellState);
        return engine;
    }

    private TrainStepResult Update(double loss)
    {
        RnnEngine engine = Engine;
        float[] gradients = engine.Gradients;
        if (GradientScale != 1f)
        {
            Elementwise.Scale(gradients, GradientScale, gradients);
        }

        double norm = Math.Sqrt(Reductions.SumOfSquares(gradients));
        if (!double.IsFinite(loss) || !double.IsFinite(norm))
        {
            return new TrainStepResult(loss, norm, Applied: false);
        }

        if (ClipNorm > 0)
        {
            GradientClipping.Clip(gradients, norm, ClipNorm);
        }

        Optimizer.Step(engine.Model.Parameters, gradients);
        return new TrainStepResult(loss, norm, Applied: true);
    }
}

namespace RnnKernels.Optimizers;

/// <summary>What every optimizer shares: its length, step count, learning rate and the overlapping-call guard.</summary>
public abstract class OptimizerBase : IOptimizer
{
    private float _learningRate;
    private int _inUse;

    /// <summary>Sets the length and the learning rate.</summary>
    /// <param name="length">Number of parameters.</param>
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">length is negative or learningRate not positive and finite.</exception>
    private protected OptimizerBase(int length, float learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        LearningRate = learningRate;
    }

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public long Steps { get; private set; }

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            OptimizerChecks.Positive(value, nameof(LearningRate));
            _learningRate = value;
        }
    }

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        OptimizerChecks.Sizes(Length, parameters, gradients);
        Steps++;
        Update(parameters, gradients, Steps);
    }

    /// <inheritdoc/>
    public abstract IReadOnlyList<(string Name, float[] Values)> State();

    /// <inheritdoc/>
    public abstract IReadOnlyList<(string Name, float Value)> Hyperparameters();

    /// <inheritdoc/>
    public void RestoreSteps(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        Steps = steps;
    }

    /// <summary>Applies update number <paramref name="step"/> (1 for the first); sizes are checked.</summary>
    /// <param name="parameters">Parameters, updated in place.</param>
    /// <param name="gradients">Gradients.</param>
    /// <param name="step">The update's number, counting from 1.</param>
    private protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step);
}

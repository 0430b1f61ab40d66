namespace RnnKernels.Optimizers;

/// <summary>Adagrad as torch.optim.Adagrad: s += g^2; p -= lr g / (sqrt(s) + eps).</summary>
public sealed class Adagrad : IOptimizer
{
    private readonly float[] _sum;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="length">Number of parameters.</param>
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="epsilon">eps &gt; 0 (PyTorch's default 1e-10).</param>
    public Adagrad(int length, float learningRate, float epsilon = 1e-10f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        OptimizerChecks.Positive(learningRate, nameof(learningRate));
        OptimizerChecks.Positive(epsilon, nameof(epsilon));
        Length = length;
        LearningRate = learningRate;
        Epsilon = epsilon;
        _sum = new float[length];
    }

    /// <inheritdoc/>
    public int Length { get; }

    /// <summary>lr.</summary>
    public float LearningRate { get; }

    /// <summary>eps.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        OptimizerChecks.Sizes(Length, parameters, gradients);
        for (int i = 0; i < Length; i++)
        {
            float g = gradients[i];
            _sum[i] += g * g;
            parameters[i] -= LearningRate * g / (MathF.Sqrt(_sum[i]) + Epsilon);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<(string Name, float[] Values)> State() => [("sum", _sum)];
}

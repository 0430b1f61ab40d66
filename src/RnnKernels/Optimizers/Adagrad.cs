using RnnKernels.Kernels;
namespace RnnKernels.Optimizers;

/// <summary>Adagrad as torch.optim.Adagrad: s += g^2; p -= lr g / (sqrt(s) + eps).</summary>
public sealed class Adagrad : OptimizerBase
{
    private readonly float[] _sum;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="length">Number of parameters.</param>
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="epsilon">eps &gt; 0 (PyTorch's default 1e-10).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or hyperparameter is out of its range.</exception>
    public Adagrad(int length, float learningRate, float epsilon = 1e-10f)
        : base(length, learningRate)
    {
        OptimizerChecks.Positive(epsilon, nameof(epsilon));
        Epsilon = epsilon;
        _sum = new float[length];
    }

    /// <inheritdoc/>
    public override string Kind => "adagrad";

    /// <summary>eps.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        OptimizerSteps.Adagrad(parameters, gradients, _sum, LearningRate, Epsilon);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State() => [("sum", _sum)];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float Value)> Hyperparameters() => [("epsilon", Epsilon)];
}

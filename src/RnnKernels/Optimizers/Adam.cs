using RnnKernels.Kernels;

namespace RnnKernels.Optimizers;

/// <summary>
/// Adam as torch.optim.Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
/// </summary>
public sealed class Adam : OptimizerBase
{
    private readonly float[] _m;
    private readonly float[] _v;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="length">Number of parameters.</param>
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="beta1">b1 in [0, 1).</param>
    /// <param name="beta2">b2 in [0, 1).</param>
    /// <param name="epsilon">eps &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or hyperparameter is out of its range.</exception>
    public Adam(int length, float learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(length, learningRate)
    {
        OptimizerChecks.Fraction(beta1, nameof(beta1));
        OptimizerChecks.Fraction(beta2, nameof(beta2));
        OptimizerChecks.Positive(epsilon, nameof(epsilon));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = new float[length];
        _v = new float[length];
    }

    /// <inheritdoc/>
    public override string Kind => "adam";

    /// <summary>b1.</summary>
    public float Beta1 { get; }

    /// <summary>b2.</summary>
    public float Beta2 { get; }

    /// <summary>eps.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, step)));
        float rootCorrection = (float)Math.Sqrt(1 - Math.Pow(Beta2, step));
        OptimizerSteps.Adam(parameters, gradients, _m, _v, stepSize, Beta1, Beta2, rootCorrection, Epsilon);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State() => [("m", _m), ("v", _v)];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float Value)> Hyperparameters() =>
        [("beta1", Beta1), ("beta2", Beta2), ("epsilon", Epsilon)];
}

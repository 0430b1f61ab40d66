using System.Runtime.CompilerServices;
using System.Numerics;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, step)));
        float rootCorrection = (float)Math.Sqrt(1 - Math.Pow(Beta2, step));
        float b1 = Beta1, b2 = Beta2, c1 = 1 - Beta1, c2 = 1 - Beta2;
        Span<float> m = _m, v = _v;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradients[i..]);
                Vector<float> mi = (new Vector<float>(m[i..]) * b1) + (g * c1);
                Vector<float> vi = (new Vector<float>(v[i..]) * b2) + (g * g * c2);
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                Vector<float> denominator = (Vector.SquareRoot(vi) / rootCorrection) + new Vector<float>(Epsilon);
                (new Vector<float>(parameters[i..]) - (stepSize * mi / denominator)).CopyTo(parameters[i..]);
            }
        }

        for (; i < Length; i++)
        {
            float g = gradients[i];
            m[i] = (b1 * m[i]) + (c1 * g);
            v[i] = (b2 * v[i]) + (c2 * g * g);
            parameters[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) / rootCorrection) + Epsilon);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State() => [("m", _m), ("v", _v)];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float Value)> Hyperparameters() =>
        [("beta1", Beta1), ("beta2", Beta2), ("epsilon", Epsilon)];
}

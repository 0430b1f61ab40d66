using System.Runtime.CompilerServices;
using System.Numerics;

namespace RnnKernels.Optimizers;

/// <summary>Stochastic gradient descent with optional momentum, as torch.optim.SGD: v = mu v + g; p -= lr v.</summary>
public sealed class Sgd : OptimizerBase
{
    private readonly float[] _velocity;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="length">Number of parameters.</param>
    /// <param name="learningRate">lr &gt; 0.</param>
    /// <param name="momentum">mu in [0, 1); 0 is plain SGD.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or hyperparameter is out of its range.</exception>
    public Sgd(int length, float learningRate, float momentum = 0f)
        : base(length, learningRate)
    {
        OptimizerChecks.Fraction(momentum, nameof(momentum));
        Momentum = momentum;
        _velocity = momentum > 0 ? new float[length] : [];
    }

    /// <inheritdoc/>
    public override string Kind => "sgd";

    /// <summary>mu.</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        if (Momentum == 0)
        {
            Kernels.Elementwise.Axpy(-LearningRate, gradients, parameters);
            return;
        }

        // PyTorch sets the momentum buffer to the first gradient itself, so the first step uses mu = 0.
        float mu = step > 1 ? Momentum : 0f;
        Span<float> v = _velocity;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vmu = new Vector<float>(mu);
            var vlr = new Vector<float>(-LearningRate);
            for (; i <= Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> velocity = Vector.MultiplyAddEstimate(vmu, new Vector<float>(v[i..]), new Vector<float>(gradients[i..]));
                velocity.CopyTo(v[i..]);
                Vector.MultiplyAddEstimate(vlr, velocity, new Vector<float>(parameters[i..])).CopyTo(parameters[i..]);
            }
        }

        for (; i < Length; i++)
        {
            v[i] = (mu * v[i]) + gradients[i];
            parameters[i] -= LearningRate * v[i];
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State() => Momentum > 0 ? [("momentum", _velocity)] : [];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float Value)> Hyperparameters() => [("momentum", Momentum)];
}

using RnnKernels.Kernels;

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
    private protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        if (Momentum == 0)
        {
            Elementwise.Axpy(-LearningRate, gradients, parameters);
            return;
        }

        // PyTorch sets the momentum buffer to the first gradient itself, so the first step uses mu = 0.
        OptimizerSteps.SgdMomentum(parameters, gradients, _velocity, LearningRate, step > 1 ? Momentum : 0f);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> State() => Momentum > 0 ? [("momentum", _velocity)] : [];

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float Value)> Hyperparameters() => [("momentum", Momentum)];
}

namespace RnnKernels.Kernels;

/// <summary>
/// The elementwise updates of the optimizers PyTorch users know (SGD with momentum, Adam, Adagrad), in place over a
/// flat parameter vector and its state. Stateless and allocation-free; every element takes the same vector code, so
/// an element's update does not depend on where it sits (the elementwise driver's tail policy).
/// </summary>
/// <remarks>
/// Parameters, gradients and each state are separate buffers of one length: the checks refuse any overlap between
/// them. The public entry points run on <see cref="KernelTiers.Best"/>.
/// </remarks>
public static class OptimizerSteps
{
    /// <summary>v = mu v + g; p = p - lr v (torch.optim.SGD with momentum, dampening 0, no Nesterov).</summary>
    /// <param name="parameters">p, updated.</param>
    /// <param name="gradients">g.</param>
    /// <param name="velocity">v, the momentum buffer, updated.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="momentum">mu (0 on the first step, where PyTorch starts the buffer at g).</param>
    /// <exception cref="ArgumentException">The spans differ in length or overlap (the message names which).</exception>
    public static void SgdMomentum(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float learningRate, float momentum) =>
        SgdMomentum(KernelTiers.Best, parameters, gradients, velocity, learningRate, momentum);

    /// <summary>
    /// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = p - stepSize m / (sqrt(v) / rootCorrection + eps)
    /// (torch.optim.Adam without weight decay or amsgrad).
    /// </summary>
    /// <param name="parameters">p, updated.</param>
    /// <param name="gradients">g.</param>
    /// <param name="m">The first moment, updated.</param>
    /// <param name="v">The second moment, updated.</param>
    /// <param name="stepSize">lr / (1 - b1^t) at step t (from 1).</param>
    /// <param name="beta1">b1.</param>
    /// <param name="beta2">b2.</param>
    /// <param name="rootCorrection">sqrt(1 - b2^t).</param>
    /// <param name="epsilon">eps.</param>
    /// <exception cref="ArgumentException">The spans differ in length or overlap (the message names which).</exception>
    public static void Adam(
        Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, float stepSize, float beta1, float beta2, float rootCorrection, float epsilon) =>
        Adam(KernelTiers.Best, parameters, gradients, m, v, stepSize, beta1, beta2, rootCorrection, epsilon);

    /// <summary>s = s + g^2; p = p - lr g / (sqrt(s) + eps) (torch.optim.Adagrad without decay).</summary>
    /// <param name="parameters">p, updated.</param>
    /// <param name="gradients">g.</param>
    /// <param name="sum">s, the sum of squared gradients, updated.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="epsilon">eps.</param>
    /// <exception cref="ArgumentException">The spans differ in length or overlap (the message names which).</exception>
    public static void Adagrad(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> sum, float learningRate, float epsilon) =>
        Adagrad(KernelTiers.Best, parameters, gradients, sum, learningRate, epsilon);

    internal static void SgdMomentum(IsaTier tier, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float learningRate, float momentum)
    {
        Check(parameters, gradients, velocity, nameof(velocity), [], string.Empty);
        ElementwiseDriver.Update(tier, new SgdMomentumUpdate(learningRate, momentum), parameters, gradients, velocity, []);
    }

    internal static void Adam(
        IsaTier tier, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v,
        float stepSize, float beta1, float beta2, float rootCorrection, float epsilon)
    {
        Check(parameters, gradients, m, nameof(m), v, nameof(v));
        ElementwiseDriver.Update(tier, new AdamUpdate(stepSize, beta1, beta2, rootCorrection, epsilon), parameters, gradients, m, v);
    }

    internal static void Adagrad(IsaTier tier, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> sum, float learningRate, float epsilon)
    {
        Check(parameters, gradients, sum, nameof(sum), [], string.Empty);
        ElementwiseDriver.Update(tier, new AdagradUpdate(learningRate, epsilon), parameters, gradients, sum, []);
    }

    /// <summary>Every span as long as the parameters, and no two of them overlapping (a second state may be absent: empty name).</summary>
    private static void Check(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<float> state, string stateName, ReadOnlySpan<float> second, string secondName)
    {
        SpanChecks.SameLength(parameters.Length, gradients.Length, "gradients", "parameters");
        SpanChecks.SameLength(parameters.Length, state.Length, stateName, "parameters");
        SpanChecks.Disjoint(parameters, "parameters", gradients, "gradients");
        SpanChecks.Disjoint(parameters, "parameters", state, stateName);
        SpanChecks.Disjoint(gradients, "gradients", state, stateName);
        if (secondName.Length > 0)
        {
            SpanChecks.SameLength(parameters.Length, second.Length, secondName, "parameters");
            SpanChecks.Disjoint(parameters, "parameters", second, secondName);
            SpanChecks.Disjoint(gradients, "gradients", second, secondName);
            SpanChecks.Disjoint(state, stateName, second, secondName);
        }
    }
}

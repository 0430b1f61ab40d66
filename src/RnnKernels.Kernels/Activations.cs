namespace RnnKernels.Kernels;

/// <summary>Activation functions and their backward passes, vectorised per ISA. Stateless, thread-safe, allocation-free.</summary>
/// <remarks>
/// Outputs may alias an input exactly (in place); a partial overlap throws. Destinations may be longer than the
/// input: only the first <c>x.Length</c> elements are written.
/// </remarks>
public static class Activations
{
    /// <summary>y = tanh(x), within 4 ulp of the correctly rounded value; tanh(+-0) = +-0, +-Inf gives +-1, NaN stays NaN.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Outputs; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Tanh(KernelTiers.Best, x, y);

    /// <summary>dx = dy * (1 - y^2), the tanh derivative expressed through the tanh output y.</summary>
    /// <param name="y">Outputs of the forward tanh.</param>
    /// <param name="dy">Gradient with respect to y.</param>
    /// <param name="dx">Gradient with respect to the pre-activation; may be <paramref name="y"/> or <paramref name="dy"/>.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        TanhBackward(KernelTiers.Best, y, dy, dx);

    /// <summary>y = max(x, 0); NaN passes through.</summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Outputs; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => Relu(KernelTiers.Best, x, y);

    /// <summary>dx = y &gt; 0 ? dy : 0, the relu derivative expressed through the relu output y.</summary>
    /// <param name="y">Outputs of the forward relu.</param>
    /// <param name="dy">Gradient with respect to y.</param>
    /// <param name="dx">Gradient with respect to the pre-activation; may be <paramref name="y"/> or <paramref name="dy"/>.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        ReluBackward(KernelTiers.Best, y, dy, dx);

    /// <summary>
    /// y = 1 / (1 + e^-x), within 4 ulp of the correctly rounded value where that is a normal float; +Inf gives 1,
    /// -Inf and every x below -126 ln 2 = -87.34 (where the result would be subnormal) give +0, NaN stays NaN.
    /// </summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Outputs; may be <paramref name="x"/> itself.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Sigmoid(KernelTiers.Best, x, y);

    /// <summary>dx = dy * y * (1 - y), the sigmoid derivative expressed through the sigmoid output y.</summary>
    /// <param name="y">Outputs of the forward sigmoid.</param>
    /// <param name="dy">Gradient with respect to y.</param>
    /// <param name="dx">Gradient with respect to the pre-activation; may be <paramref name="y"/> or <paramref name="dy"/>.</param>
    /// <exception cref="ArgumentException">A destination is shorter than its input, input lengths differ, or an output partially overlaps an input (the message names the span and both lengths).</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        SigmoidBackward(KernelTiers.Best, y, dy, dx);

    internal static void Sigmoid(IsaTier tier, ReadOnlySpan<float> x, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Unary<SigmoidOperator>(tier, x, y);
    }

    internal static void SigmoidBackward(IsaTier tier, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SpanChecks.BinaryMap(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Binary<SigmoidBackwardOperator>(tier, y, dy, dx);
    }

    internal static void Tanh(IsaTier tier, ReadOnlySpan<float> x, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Unary<TanhOperator>(tier, x, y);
    }

    internal static void TanhBackward(IsaTier tier, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SpanChecks.BinaryMap(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Binary<TanhBackwardOperator>(tier, y, dy, dx);
    }

    internal static void Relu(IsaTier tier, ReadOnlySpan<float> x, Span<float> y)
    {
        SpanChecks.UnaryMap(x, y, nameof(x), nameof(y));
        ElementwiseDriver.Unary<ReluOperator>(tier, x, y);
    }

    internal static void ReluBackward(IsaTier tier, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        SpanChecks.BinaryMap(y, dy, dx, nameof(y), nameof(dy), nameof(dx));
        ElementwiseDriver.Binary<ReluBackwardOperator>(tier, y, dy, dx);
    }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// nn.RNN's cell: one block of H pre-activations, h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) with f tanh or
/// relu; both biases go into the input projection; no cell state; an entry past its length carries h. Its layer passes
/// (<see cref="RecurrentLayer"/>, <see cref="SequenceRunner"/>, <see cref="StreamingRnn"/>) apply f to each block of the
/// step product as it is computed (<see cref="StepActivationEpilogue"/>) and f' to each block of the gradient product
/// (<see cref="StepGradientEpilogue"/>), which the gated cells' row updates cannot share.
/// </summary>
/// <param name="nonlinearity">f.</param>
internal readonly struct ElmanCell(Nonlinearity nonlinearity)
{
    /// <summary>Blocks of H pre-activations (G).</summary>
    public const int Gates = 1;

    /// <summary>The input projection's bias: b_ih + b_hh.</summary>
    public static void BiasForProjection(ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh, Span<float> sum) => Elementwise.Add(biasIh, biasHh, sum);

    /// <summary>An entry past its length: h_t = h_{t-1}.</summary>
    public static void Carry(ReadOnlySpan<float> hPrev, Span<float> h) => hPrev.CopyTo(h);

    /// <summary>h = f(a); <paramref name="h"/> may be <paramref name="a"/>.</summary>
    public void Forward(ReadOnlySpan<float> a, Span<float> h)
    {
        if (nonlinearity == Nonlinearity.Tanh)
        {
            Activations.Tanh(a, h);
        }
        else
        {
            Activations.Relu(a, h);
        }
    }

    /// <summary>gradient *= f'(a), expressed through h = f(a), in place.</summary>
    public void Backward(ReadOnlySpan<float> h, Span<float> gradient)
    {
        if (nonlinearity == Nonlinearity.Tanh)
        {
            Activations.TanhBackward(h, gradient, gradient);
        }
        else
        {
            Activations.ReluBackward(h, gradient, gradient);
        }
    }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>The layer nonlinearity and its backward, dispatched once per span.</summary>
internal static class Activation
{
    /// <summary>y = f(x); y may be x.</summary>
    public static void Forward(Nonlinearity nonlinearity, ReadOnlySpan<float> x, Span<float> y)
    {
        if (nonlinearity == Nonlinearity.Tanh)
        {
            Activations.Tanh(x, y);
        }
        else
        {
            Activations.Relu(x, y);
        }
    }

    /// <summary>gradient *= f'(x) expressed through the output y = f(x), in place.</summary>
    public static void Backward(Nonlinearity nonlinearity, ReadOnlySpan<float> output, Span<float> gradient)
    {
        if (nonlinearity == Nonlinearity.Tanh)
        {
            Activations.TanhBackward(output, gradient, gradient);
        }
        else
        {
            Activations.ReluBackward(output, gradient, gradient);
        }
    }
}

namespace RnnKernels;

/// <summary>
/// An Elman RNN with an output layer: its shape and all its parameters in one flat buffer (views per weight through
/// <see cref="Layout"/>). Not thread-safe: one writer at a time; separate models share nothing.
/// </summary>
public sealed class RnnModel
{
    /// <summary>Creates a model with PyTorch's default initialisation, U(-1/sqrt(fan), 1/sqrt(fan)), from a seed.</summary>
    /// <param name="shape">The sizes.</param>
    /// <param name="seed">Seed of the deterministic initialisation.</param>
    public RnnModel(RnnShape shape, int seed)
    {
        Layout = new ParameterLayout(shape);
        Parameters = new float[Layout.TotalLength];
        Initialize(seed);
    }

    /// <summary>Wraps existing parameter values (copied), e.g. read from a file.</summary>
    /// <param name="shape">The sizes.</param>
    /// <param name="parameters">Values in <see cref="ParameterLayout"/> order.</param>
    public RnnModel(RnnShape shape, ReadOnlySpan<float> parameters)
    {
        Layout = new ParameterLayout(shape);
        if (parameters.Length != Layout.TotalLength)
        {
            throw new ArgumentException($"parameters must hold {Layout.TotalLength} values for this shape, but it has {parameters.Length}.", nameof(parameters));
        }

        Parameters = parameters.ToArray();
    }

    /// <summary>The sizes.</summary>
    public RnnShape Shape => Layout.Shape;

    /// <summary>Where each weight lives in <see cref="Parameters"/>.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>All parameters, flat; optimizers update it in place.</summary>
    public float[] Parameters { get; }

    /// <summary>The values of one tensor.</summary>
    /// <param name="tensor">A tensor of this model's layout.</param>
    /// <returns>A view into <see cref="Parameters"/>.</returns>
    public Span<float> View(ParameterTensor tensor) => Parameters.AsSpan(tensor.Offset, tensor.Length);

    /// <summary>
    /// Re-initialises every parameter as PyTorch does: nn.RNN draws all weights and biases from U(-k, k) with
    /// k = 1/sqrt(H); nn.Linear's default gives U(-k, k) with k = 1/sqrt(fan_in) for weight and bias alike.
    /// </summary>
    /// <param name="seed">Seed; the same seed always gives the same values.</param>
    public void Initialize(int seed)
    {
        var random = new Random(seed);
        float recurrentBound = 1f / MathF.Sqrt(Shape.HiddenSize);
        float outputBound = 1f / MathF.Sqrt(Shape.LayerOutputSize);
        foreach (ParameterTensor tensor in Layout.Tensors)
        {
            float bound = tensor.Name.StartsWith("out.", StringComparison.Ordinal) ? outputBound : recurrentBound;
            foreach (ref float value in View(tensor))
            {
                value = (float)(((random.NextDouble() * 2) - 1) * bound);
            }
        }
    }
}

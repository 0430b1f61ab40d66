using CommunityToolkit.HighPerformance;

namespace RnnKernels;

/// <summary>
/// A recurrent network (Elman, LSTM or GRU cells) with an output layer: its shape and all its parameters in one flat
/// buffer (views per weight through <see cref="Layout"/>).
/// </summary>
/// <remarks>
/// One writer at a time: <see cref="Initialize"/> and <see cref="CopyParametersFrom"/> throw
/// <see cref="InvalidOperationException"/> when they overlap each other. Engines read the parameters during their calls
/// and optimizers write them during their steps; a host that trains on one thread and serves on another gives the
/// server its own snapshot (<see cref="StreamingRnn"/> keeps one) rather than sharing the live buffer.
/// </remarks>
public sealed class RnnModel
{
    private int _inUse;

    /// <summary>Creates a model with PyTorch's default initialisation, U(-1/sqrt(fan), 1/sqrt(fan)), from a seed.</summary>
    /// <param name="shape">The sizes.</param>
    /// <param name="seed">Seed of the deterministic initialisation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    public RnnModel(RnnShape shape, int seed)
    {
        Layout = new ParameterLayout(shape);
        Parameters = new float[Layout.TotalLength];
        Initialize(seed);
    }

    /// <summary>Wraps existing parameter values (copied), e.g. read from a file.</summary>
    /// <param name="shape">The sizes.</param>
    /// <param name="parameters">Values in <see cref="ParameterLayout"/> order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> does not hold the layout's total length.</exception>
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

    /// <summary>The values of one tensor, by its PyTorch name (a view into <see cref="Parameters"/>).</summary>
    /// <param name="name">A state_dict name such as <c>rnn.weight_hh_l0</c> or <c>out.bias</c>.</param>
    /// <returns>The tensor's values, row-major.</returns>
    /// <exception cref="ArgumentException">The model has no tensor of that name (the message lists its tensors).</exception>
    public Span<float> Parameter(string name) => View(Layout.Get(name));

    /// <summary>
    /// The values of one tensor as a 2-D view [rows, columns] (a bias is one row), by its PyTorch name, for hosts
    /// that copy weights in or out of their own strided buffers (<see cref="Span2D{T}.CopyTo(Span2D{T})"/>).
    /// </summary>
    /// <param name="name">A state_dict name.</param>
    /// <returns>A view into <see cref="Parameters"/>.</returns>
    /// <exception cref="ArgumentException">The model has no tensor of that name.</exception>
    public Span2D<float> ParameterMatrix(string name) => Matrix(Parameters, Layout.Get(name));

    /// <summary>A tensor's place in a flat buffer of this layout as a 2-D view (a vector is one row).</summary>
    internal static Span2D<float> Matrix(float[] buffer, ParameterTensor tensor) =>
        new(buffer, tensor.Offset, tensor.Columns == 0 ? 1 : tensor.Rows, tensor.Columns == 0 ? tensor.Rows : tensor.Columns, 0);

    /// <summary>Copies every parameter from another model of the same shape (for example a snapshot back into a served model).</summary>
    /// <param name="source">A model of the same shape.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another write to this model.</exception>
    public void CopyParametersFrom(RnnModel source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Shape != Shape)
        {
            throw new ArgumentException($"source has shape {source.Shape}, this model {Shape}.", nameof(source));
        }

        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        source.Parameters.CopyTo(Parameters, 0);
    }

    /// <summary>
    /// Re-initialises every parameter as PyTorch does: nn.RNN draws all weights and biases from U(-k, k) with
    /// k = 1/sqrt(H); nn.Linear's default gives U(-k, k) with k = 1/sqrt(fan_in) for weight and bias alike.
    /// </summary>
    /// <param name="seed">Seed; the same seed always gives the same values.</param>
    /// <exception cref="InvalidOperationException">The call overlapped another write to this model.</exception>
    public void Initialize(int seed)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
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

namespace RnnKernels;

/// <summary>
/// Where each weight lives in the one flat parameter buffer (and, identically, in the gradient buffer). The order is
/// PyTorch's state_dict order: per layer the forward weights, then the reverse ones, then the output layer. Names are
/// those of a module with children <c>rnn</c> and <c>out</c> (<c>rnn.weight_ih_l0</c>, <c>out.weight</c>); a network
/// without an output layer is nn.RNN / nn.LSTM / nn.GRU itself (<c>weight_ih_l0</c>, no prefix).
/// </summary>
public sealed class ParameterLayout
{
    private readonly RecurrentTensors[] _recurrent;
    private readonly Dictionary<string, ParameterTensor> _byName;

    /// <summary>Builds the layout of <paramref name="shape"/>.</summary>
    /// <param name="shape">The model's sizes.</param>
    public ParameterLayout(RnnShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        int h = shape.HiddenSize, gh = shape.GateRows;
        var all = new List<ParameterTensor>();
        _recurrent = new RecurrentTensors[shape.Layers * shape.Directions];
        int offset = 0;
        ParameterTensor Add(string name, int rows, int columns)
        {
            var tensor = new ParameterTensor(name, rows, columns, offset);
            offset = checked(offset + tensor.Length);
            all.Add(tensor);
            return tensor;
        }

        string prefix = shape.HasOutputLayer ? RecurrentPrefix : "";
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                string suffix = $"l{layer}{(direction == 1 ? "_reverse" : "")}";
                _recurrent[(layer * shape.Directions) + direction] = new RecurrentTensors(
                    Add($"{prefix}weight_ih_{suffix}", gh, shape.LayerInputSize(layer)),
                    Add($"{prefix}weight_hh_{suffix}", gh, h),
                    Add($"{prefix}bias_ih_{suffix}", gh, 0),
                    Add($"{prefix}bias_hh_{suffix}", gh, 0));
            }
        }

        if (shape.HasOutputLayer)
        {
            OutputWeight = Add("out.weight", shape.OutputSize, shape.LayerOutputSize);
            OutputBias = Add("out.bias", shape.OutputSize, 0);
        }
        Tensors = all;
        _byName = all.ToDictionary(t => t.Name, StringComparer.Ordinal);
        TotalLength = offset;
    }

    /// <summary>Prefix of the recurrent tensors' names in a network with an output layer (its child module <c>rnn</c>).</summary>
    public const string RecurrentPrefix = "rnn.";

    /// <summary>The sizes this layout was built for.</summary>
    public RnnShape Shape { get; }

    /// <summary>Every tensor in state_dict order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }

    /// <summary>Total floats in the flat buffer.</summary>
    public int TotalLength { get; }

    /// <summary>out.weight [O, D*H], or null without an output layer.</summary>
    public ParameterTensor? OutputWeight { get; }

    /// <summary>out.bias [O], or null without an output layer.</summary>
    public ParameterTensor? OutputBias { get; }

    /// <summary>The four tensors of one layer and direction (0 forward, 1 reverse).</summary>
    /// <param name="layer">Layer index.</param>
    /// <param name="direction">0 for forward, 1 for reverse.</param>
    /// <returns>weight_ih, weight_hh, bias_ih, bias_hh.</returns>
    public RecurrentTensors Recurrent(int layer, int direction) => _recurrent[(layer * Shape.Directions) + direction];

    /// <summary>The tensor called <paramref name="name"/>, or null (a dictionary look-up: no allocation).</summary>
    /// <param name="name">A PyTorch state_dict name.</param>
    /// <returns>The tensor or null.</returns>
    public ParameterTensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <param name="name">A PyTorch state_dict name.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentException">This layout has no tensor of that name (the message lists the names).</exception>
    public ParameterTensor Get(string name) =>
        _byName.TryGetValue(name, out ParameterTensor? tensor)
            ? tensor
            : throw new ArgumentException($"'{name}' is not a tensor of this model; its tensors are {string.Join(", ", Tensors.Select(t => t.Name))}.", nameof(name));
}

/// <summary>The weights of one recurrent layer and direction.</summary>
/// <param name="WeightIh">W_F [G*H, in], gate blocks in PyTorch order.</param>
/// <param name="WeightHh">W_R [G*H, H].</param>
/// <param name="BiasIh">b_ih [G*H].</param>
/// <param name="BiasHh">b_hh [G*H].</param>
public sealed record RecurrentTensors(ParameterTensor WeightIh, ParameterTensor WeightHh, ParameterTensor BiasIh, ParameterTensor BiasHh);

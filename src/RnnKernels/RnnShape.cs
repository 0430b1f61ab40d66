namespace RnnKernels;

/// <summary>
/// The sizes of a recurrent network: input I, hidden H, output O, stacked layers L, directions D, and its cell
/// (Elman, LSTM or GRU, whose weights stack G = 1, 4 or 3 gate blocks of H rows). Layer 0 reads x_t (width I); layer
/// l &gt; 0 reads the previous layer's h_t (width D*H); the output layer, when O &gt; 0, reads the top layer's h_t.
/// With O = 0 the network is the recurrent layers alone, as PyTorch's nn.RNN, nn.LSTM and nn.GRU (no output layer,
/// no loss: its output is the top layer's h_t, and its backward pass takes the gradient of that from the caller).
/// </summary>
public sealed record RnnShape
{
    /// <summary>Creates a shape, validating every size.</summary>
    /// <param name="inputSize">I, width of x_t (at least 1).</param>
    /// <param name="hiddenSize">H, width of h_t per direction (at least 1).</param>
    /// <param name="outputSize">O, width of o_t; 0 for the recurrent layers alone, without an output layer.</param>
    /// <param name="layers">Stacked layers L (at least 1).</param>
    /// <param name="bidirectional">Whether each layer also runs over the reversed sequence.</param>
    /// <param name="nonlinearity">The recurrent activation of an Elman cell (gated cells have none to choose: Tanh).</param>
    /// <param name="cell">The cell.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 (O below 0), or an enum value is not defined.</exception>
    /// <exception cref="ArgumentException">A gated cell is given the Relu nonlinearity.</exception>
    public RnnShape(
        int inputSize, int hiddenSize, int outputSize, int layers = 1, bool bidirectional = false, Nonlinearity nonlinearity = Nonlinearity.Tanh,
        CellKind cell = CellKind.Rnn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(outputSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        if (!Enum.IsDefined(nonlinearity))
        {
            throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "nonlinearity must be Tanh or Relu.");
        }

        if (!Enum.IsDefined(cell))
        {
            throw new ArgumentOutOfRangeException(nameof(cell), cell, "cell must be Rnn, Lstm or Gru.");
        }

        if (cell != CellKind.Rnn && nonlinearity != Nonlinearity.Tanh)
        {
            throw new ArgumentException($"nonlinearity applies to the Elman cell only; a {cell} cell has fixed activations.", nameof(nonlinearity));
        }

        if ((long)Gates(cell) * hiddenSize > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "G x H must stay below 2^24.");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        OutputSize = outputSize;
        Layers = layers;
        Bidirectional = bidirectional;
        Nonlinearity = nonlinearity;
        Cell = cell;
    }

    /// <summary>I: width of x_t.</summary>
    public int InputSize { get; }

    /// <summary>H: width of h_t per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>O: width of o_t (classes for cross-entropy); 0 when there is no output layer.</summary>
    public int OutputSize { get; }

    /// <summary>Whether the network ends in an output layer (O &gt; 0); without one it is the recurrent layers alone.</summary>
    public bool HasOutputLayer => OutputSize > 0;

    /// <summary>Width of what the network outputs per step and entry: O, or D*H without an output layer.</summary>
    public int NetworkOutputSize => HasOutputLayer ? OutputSize : LayerOutputSize;

    /// <summary>L: stacked layers.</summary>
    public int Layers { get; }

    /// <summary>Whether each layer has a second set of weights run over the reversed sequence.</summary>
    public bool Bidirectional { get; }

    /// <summary>The recurrent activation.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <summary>The cell.</summary>
    public CellKind Cell { get; }

    /// <summary>G: gate blocks stacked in the weights (1 Elman, 4 LSTM, 3 GRU).</summary>
    public int GateCount => Gates(Cell);

    /// <summary>G*H: rows of weight_ih, weight_hh and the biases.</summary>
    public int GateRows => GateCount * HiddenSize;

    /// <summary>Whether the cell carries a second state c (LSTM).</summary>
    public bool HasCellState => Cell == CellKind.Lstm;

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Width of a layer's output (D*H): the next layer's and the output layer's input.</summary>
    public int LayerOutputSize => Directions * HiddenSize;

    /// <summary>Input width of layer <paramref name="layer"/>: I for layer 0, D*H above it.</summary>
    /// <param name="layer">Layer index.</param>
    /// <returns>The width.</returns>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : LayerOutputSize;

    /// <summary>Elements of an initial or final state [L*D, B, H].</summary>
    /// <param name="batch">Batch size B.</param>
    /// <returns>L*D*B*H.</returns>
    public int StateSize(int batch) => Layers * Directions * batch * HiddenSize;

    /// <summary>G for a cell.</summary>
    /// <param name="cell">The cell.</param>
    /// <returns>1, 4 or 3.</returns>
    public static int Gates(CellKind cell) => cell switch
    {
        CellKind.Lstm => LstmCell.Gates,
        CellKind.Gru => GruCell.Gates,
        _ => ElmanCell.Gates,
    };
}

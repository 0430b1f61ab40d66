namespace RnnKernels;

/// <summary>
/// The sizes of an Elman RNN with an output layer: input I, hidden H, output O, stacked layers L, directions D.
/// Layer 0 reads x_t (width I); layer l &gt; 0 reads the previous layer's h_t (width D*H); the output layer reads
/// the top layer's h_t.
/// </summary>
public sealed record RnnShape
{
    /// <summary>Creates a shape, validating every size.</summary>
    /// <param name="inputSize">I, width of x_t (at least 1).</param>
    /// <param name="hiddenSize">H, width of h_t per direction (at least 1).</param>
    /// <param name="outputSize">O, width of o_t (at least 1).</param>
    /// <param name="layers">Stacked layers L (at least 1).</param>
    /// <param name="bidirectional">Whether each layer also runs over the reversed sequence.</param>
    /// <param name="nonlinearity">The recurrent activation.</param>
    public RnnShape(int inputSize, int hiddenSize, int outputSize, int layers = 1, bool bidirectional = false, Nonlinearity nonlinearity = Nonlinearity.Tanh)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        if (!Enum.IsDefined(nonlinearity))
        {
            throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "nonlinearity must be Tanh or Relu.");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        OutputSize = outputSize;
        Layers = layers;
        Bidirectional = bidirectional;
        Nonlinearity = nonlinearity;
    }

    /// <summary>I: width of x_t.</summary>
    public int InputSize { get; }

    /// <summary>H: width of h_t per direction.</summary>
    public int HiddenSize { get; }

    /// <summary>O: width of o_t (classes for cross-entropy).</summary>
    public int OutputSize { get; }

    /// <summary>L: stacked layers.</summary>
    public int Layers { get; }

    /// <summary>Whether each layer has a second set of weights run over the reversed sequence.</summary>
    public bool Bidirectional { get; }

    /// <summary>The recurrent activation.</summary>
    public Nonlinearity Nonlinearity { get; }

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
}

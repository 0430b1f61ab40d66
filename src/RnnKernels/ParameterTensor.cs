namespace RnnKernels;

/// <summary>One named weight inside the flat parameter buffer: its PyTorch name, shape and place.</summary>
/// <param name="Name">PyTorch state_dict name, e.g. <c>rnn.weight_ih_l0</c>.</param>
/// <param name="Rows">First dimension (the only one for a bias).</param>
/// <param name="Columns">Second dimension, or 0 for a vector.</param>
/// <param name="Offset">Start in the flat buffer.</param>
public sealed record ParameterTensor(string Name, int Rows, int Columns, int Offset)
{
    /// <summary>Number of elements.</summary>
    public int Length => Columns == 0 ? Rows : Rows * Columns;

    /// <summary>The shape as safetensors lists it.</summary>
    public long[] Shape => Columns == 0 ? [Rows] : [Rows, Columns];
}

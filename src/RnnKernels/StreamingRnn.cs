using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Inference one step at a time for hosts that receive inputs as they arrive: h_t = f(W_F x_t + b_F + W_R h_{t-1} + b_R)
/// per layer, then o_t = W_o h_t + b_o. The state is kept between calls; <see cref="Step"/> allocates nothing.
/// Unidirectional models only (a reverse direction would need the future). Not thread-safe.
/// </summary>
public sealed class StreamingRnn
{
    private readonly RnnModel _model;
    private readonly float[] _state;
    private readonly float[] _preActivation;

    /// <summary>Creates a stream with a zero state.</summary>
    /// <param name="model">A unidirectional model.</param>
    /// <param name="batch">Independent streams stepped together (B).</param>
    public StreamingRnn(RnnModel model, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (model.Shape.Bidirectional)
        {
            throw new ArgumentException("A bidirectional model needs the whole sequence; it cannot be run one step at a time.", nameof(model));
        }

        _model = model;
        Batch = batch;
        _state = new float[model.Shape.StateSize(batch)];
        _preActivation = new float[batch * model.Shape.HiddenSize];
    }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>h [L, B, H] after the last step; writable, e.g. to continue from an engine's final state.</summary>
    public Span<float> State => _state;

    /// <summary>Sets the state to zero (a new sequence).</summary>
    public void Reset() => Array.Clear(_state);

    /// <summary>Advances every stream by one step.</summary>
    /// <param name="input">x_t [B, I].</param>
    /// <param name="output">o_t [B, O].</param>
    public void Step(ReadOnlySpan<float> input, Span<float> output)
    {
        RnnShape shape = _model.Shape;
        int h = shape.HiddenSize, b = Batch;
        if (input.Length != b * shape.InputSize)
        {
            throw new ArgumentException($"input must hold B x I = {b} x {shape.InputSize} values, but it has {input.Length}.", nameof(input));
        }

        if (output.Length != b * shape.OutputSize)
        {
            throw new ArgumentException($"output must hold B x O = {b} x {shape.OutputSize} values, but it has {output.Length}.", nameof(output));
        }

        ReadOnlySpan<float> x = input;
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            RecurrentTensors w = _model.Layout.Recurrent(layer, 0);
            int width = shape.LayerInputSize(layer);
            Span<float> state = _state.AsSpan(layer * b * h, b * h);
            Span<float> a = _preActivation;
            Elementwise.BroadcastRows(_model.View(w.BiasIh), _model.View(w.BiasHh), b, a, h);
            Gemm.Compute(Transpose.No, Transpose.Yes, b, h, width, 1f, x, width, _model.View(w.WeightIh), width, 1f, a, h);
            Gemm.Compute(Transpose.No, Transpose.Yes, b, h, h, 1f, state, h, _model.View(w.WeightHh), h, 1f, a, h);
            Activation.Forward(shape.Nonlinearity, a, state);

            x = state;
        }

        ParameterTensor weight = _model.Layout.OutputWeight;
        Elementwise.BroadcastRows(_model.View(_model.Layout.OutputBias), [], b, output, shape.OutputSize);
        Gemm.Compute(Transpose.No, Transpose.Yes, b, shape.OutputSize, h, 1f, x, h, _model.View(weight), h, 1f, output, shape.OutputSize);
    }
}

using System.Runtime.CompilerServices;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Inference for hosts: <see cref="Run"/> over whole sequences (every cell, stacked and bidirectional models, ragged
/// lengths), and <see cref="Step"/> one step at a time as inputs arrive (unidirectional models: a reverse direction
/// needs the future). The state (h, and c for an LSTM) is kept between calls: each call continues from it and leaves
/// h_n (and c_n) in it. Neither allocates once warm, and neither needs a training workspace.
/// </summary>
/// <remarks>
/// <para><see cref="Run"/> computes the input projections of all T steps of a layer as one product, runs the recurrence
/// one product per step against the recurrent weights packed once, with the cell update fused onto it, and the output
/// layer as one product over all steps: the engine's forward pass, with the same results as
/// <see cref="RnnEngine.Forward"/>. Its buffers hold one [T, B, G*H] projection and two layers' outputs [T, B, D*H];
/// they grow to the longest T run, so a length run before allocates nothing.</para>
/// <para>The stream serves a snapshot of the model's weights, taken when it is created: training the model on
/// another thread meanwhile changes nothing here until <see cref="Refresh"/> takes a new snapshot, so a host can
/// train and serve at once. The snapshot's weight matrices are packed once, for the products of B rows every step
/// makes (<see cref="PackedMatrix"/>; <see cref="PackedLayout.OneRow"/> at B = 1), so the stream holds the weights a
/// second time, padded to whole vectors or panels.</para>
/// <para>With a <see cref="WorkerPool"/>, each product is split over its threads, the per-step products by their
/// columns (gate rows) even at B = 1, so each core reads its own share of the recurrent weights from its own cache.
/// Results are bitwise the same for any number of threads.</para>
/// <para>Single-threaded: a call that overlaps another on the same stream throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed class StreamingRnn
{
    private readonly RnnModel _model;
    private readonly float[] _weights;
    private readonly float[] _state;
    private readonly float[] _cellState;
    private readonly float[] _preActivation;
    private readonly float[] _products;
    private readonly float[] _recurrentN;
    private readonly PackedMatrix[] _inputWeights;
    private readonly PackedMatrix[] _recurrentWeights;
    private readonly PackedMatrix? _outputWeights;
    private readonly WorkerPool? _pool;
    private readonly SequenceRunner _runner;
    private int _inUse;

    /// <summary>Creates a stream with a zero state and a snapshot of the model's weights.</summary>
    /// <param name="model">The model.</param>
    /// <param name="batch">Independent streams stepped together (B).</param>
    /// <param name="pool">Worker threads for the products, or null to run on the calling thread only. The stream does
    /// not dispose it; it may be shared.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="pool"/> has been disposed.</exception>
    public StreamingRnn(RnnModel model, int batch = 1, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ObjectDisposedException.ThrowIf(pool is { IsDisposed: true }, pool!);
        _model = model;
        _pool = pool;
        Batch = batch;
        _weights = model.Parameters.ToArray();
        RnnShape shape = model.Shape;
        _state = new float[shape.StateSize(batch)];
        _cellState = new float[shape.HasCellState ? shape.StateSize(batch) : 0];
        _preActivation = new float[batch * shape.GateRows];
        _products = new float[shape.Cell == CellKind.Rnn ? 0 : batch * shape.GateRows];
        _recurrentN = new float[shape.Cell == CellKind.Gru ? shape.HiddenSize : 0];
        PackedLayout layout = batch == 1 ? PackedLayout.OneRow : PackedLayout.Panels;
        _inputWeights = new PackedMatrix[shape.Bidirectional ? 0 : shape.Layers];
        _recurrentWeights = new PackedMatrix[shape.Layers * shape.Directions];
        for (int layer = 0; layer < _inputWeights.Length; layer++)
        {
            _inputWeights[layer] = new PackedMatrix(shape.LayerInputSize(layer), shape.GateRows, layout);
        }

        for (int pass = 0; pass < _recurrentWeights.Length; pass++)
        {
            _recurrentWeights[pass] = new PackedMatrix(shape.HiddenSize, shape.GateRows, layout);
        }

        _outputWeights = shape.HasOutputLayer && !shape.Bidirectional ? new PackedMatrix(shape.HiddenSize, shape.OutputSize, layout) : null;
        _runner = new SequenceRunner(shape, batch, pool);
        PackWeights();
    }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>h [L*D, B, H] after the last call (h_n); writable, e.g. to start from an engine's final state or a given h0.</summary>
    public Span<float> State => _state;

    /// <summary>c [L*D, B, H] of an LSTM after the last call (empty for other cells); writable like <see cref="State"/>.</summary>
    public Span<float> CellState => _cellState;

    /// <summary>Sets the state (h and c) to zero (a new sequence).</summary>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this stream.</exception>
    public void Reset()
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        Array.Clear(_state);
        Array.Clear(_cellState);
    }

    /// <summary>Takes a new snapshot of the model's weights (the state is kept).</summary>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this stream.</exception>
    public void Refresh()
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        _model.Parameters.CopyTo(_weights, 0);
        PackWeights();
    }

    /// <summary>Advances every stream by one step.</summary>
    /// <param name="input">x_t [B, I].</param>
    /// <param name="output">o_t [B, O] (the top layer's h_t [B, H] for a network without an output layer).</param>
    /// <exception cref="ArgumentException">A span's length does not match B and the model's sizes.</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this stream, or the model is
    /// bidirectional (its reverse direction needs the whole sequence: use <see cref="Run"/>).</exception>
    public void Step(ReadOnlySpan<float> input, Span<float> output)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        RnnShape shape = _model.Shape;
        if (shape.Bidirectional)
        {
            throw new InvalidOperationException("A bidirectional model needs the whole sequence; it cannot be run one step at a time: use Run.");
        }

        Check(input.Length, 1, Batch, shape.InputSize, nameof(input), "B x I");
        Check(output.Length, 1, Batch, shape.NetworkOutputSize, nameof(output), "B x O");
        Advance(input, output);
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps of whole sequences from the current state (h0, c0), leaving h_n (and c_n)
    /// in it: outputs[t] is what <see cref="Step"/> would give for inputs[t] (unidirectional models), and for any model
    /// what <see cref="RnnEngine.Forward"/> gives.
    /// </summary>
    /// <param name="inputs">x [T, B, I].</param>
    /// <param name="steps">T, 0 or more.</param>
    /// <param name="outputs">o [T, B, O] (h of the top layer [T, B, D*H] without an output layer, zeros past each
    /// entry's length).</param>
    /// <param name="lengths">Per entry its length in 1..T, or empty when all are T: an entry's state stops at its
    /// length (PyTorch's packed sequences), so its h_n is its state there.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative, or a length is outside 1..T.</exception>
    /// <exception cref="ArgumentException">A span's length does not match T, B and the model's sizes.</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this stream.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<float> inputs, int steps, Span<float> outputs, ReadOnlySpan<int> lengths = default)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        RnnShape shape = _model.Shape;
        Check(inputs.Length, steps, Batch, shape.InputSize, nameof(inputs), "T x B x I");
        Check(outputs.Length, steps, Batch, shape.NetworkOutputSize, nameof(outputs), "T x B x O");
        if (!lengths.IsEmpty)
        {
            if (lengths.Length != Batch)
            {
                throw new ArgumentException($"lengths must hold B = {Batch} values, but it has {lengths.Length}.", nameof(lengths));
            }

            for (int b = 0; b < Batch; b++)
            {
                if (lengths[b] < 1 || lengths[b] > steps)
                {
                    throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}] must be in 1..{steps}, but it is {lengths[b]}.");
                }
            }
        }

        if (steps > 0)
        {
            _runner.Run(_weights, _model.Layout, _recurrentWeights, inputs, steps, lengths, _state, _cellState, outputs);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance(ReadOnlySpan<float> input, Span<float> output)
    {
        RnnShape shape = _model.Shape;
        ParameterLayout layout = _model.Layout;
        int h = shape.HiddenSize, gh = shape.GateRows, b = Batch;
        ReadOnlySpan<float> x = input;
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            RecurrentTensors w = layout.Recurrent(layer, 0);
            int width = shape.LayerInputSize(layer);
            Span<float> state = _state.AsSpan(layer * b * h, b * h);
            Span<float> a = _preActivation;

            // a = x W_F^T + biases for all G gate blocks, as the engine's passes: b_ih alone where the cell puts b_hh
            // onto the recurrent product (the GRU), both otherwise.
            switch (shape.Cell)
            {
                case CellKind.Lstm:
                    GatedStep<LstmCell>(layer, w, x, state);
                    break;
                case CellKind.Gru:
                    GatedStep<GruCell>(layer, w, x, state);
                    break;
                default:
                    Elementwise.BroadcastRows(View(w.BiasIh), View(w.BiasHh), b, a, gh);
                    Gemm.Compute(Transpose.No, b, 1f, x, width, _inputWeights[layer], 1f, a, gh, _pool);
                    Gemm.Compute(Transpose.No, b, 1f, state, h, _recurrentWeights[layer], 1f, a, h, _pool);
                    new ElmanCell(shape.Nonlinearity).Forward(a, state);
                    break;
            }

            x = state;
        }

        if (_outputWeights is null)
        {
            x.CopyTo(output); // Without an output layer the network outputs the top layer's h_t.
            return;
        }

        Elementwise.BroadcastRows(View(layout.OutputBias!), [], b, output, shape.OutputSize);
        Gemm.Compute(Transpose.No, b, 1f, x, h, _outputWeights, 1f, output, shape.OutputSize, _pool);
    }

    /// <summary>One step of a gated layer for every stream: the projection, the recurrent product, each row's update.</summary>
    private void GatedStep<TCell>(int layer, RecurrentTensors w, ReadOnlySpan<float> x, Span<float> state)
        where TCell : struct, IGatedCell
    {
        int h = _model.Shape.HiddenSize, gh = _model.Shape.GateRows, b = Batch, width = _model.Shape.LayerInputSize(layer);
        Span<float> a = _preActivation, r = _products;
        Elementwise.BroadcastRows(View(w.BiasIh), TCell.BiasOnStepProduct ? [] : View(w.BiasHh), b, a, gh);
        Gemm.Compute(Transpose.No, b, 1f, x, width, _inputWeights[layer], 1f, a, gh, _pool);
        if (TCell.BiasOnStepProduct)
        {
            Elementwise.BroadcastRows(View(w.BiasHh), [], b, r, gh);
        }

        Gemm.Compute(Transpose.No, b, 1f, state, h, _recurrentWeights[layer], TCell.BiasOnStepProduct ? 1f : 0f, r, gh, _pool);
        for (int row = 0; row < b; row++)
        {
            // h (and c) are updated in place; without a cell state the cell row goes to scratch.
            Span<float> hRow = state.Slice(row * h, h);
            Span<float> cells = TCell.HasCellState ? _cellState.AsSpan(((layer * b) + row) * h, h) : _recurrentN;
            TCell.Forward(a.Slice(row * gh, gh), r.Slice(row * gh, gh), hRow, cells, cells, hRow);
        }
    }

    /// <summary>Packs W_R^T of every layer and direction, and for <see cref="Step"/> W_F^T and W_o^T, from the snapshot.</summary>
    private void PackWeights()
    {
        RnnShape shape = _model.Shape;
        ParameterLayout layout = _model.Layout;
        int h = shape.HiddenSize, gh = shape.GateRows;
        for (int layer = 0; layer < _inputWeights.Length; layer++)
        {
            RecurrentTensors w = layout.Recurrent(layer, 0);
            int width = shape.LayerInputSize(layer);
            _inputWeights[layer].Pack(Transpose.Yes, width, gh, View(w.WeightIh), width);
        }

        for (int layer = 0; layer < shape.Layers; layer++)
        {
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                _recurrentWeights[(layer * shape.Directions) + direction].Pack(Transpose.Yes, h, gh, View(layout.Recurrent(layer, direction).WeightHh), h);
            }
        }

        _outputWeights?.Pack(Transpose.Yes, h, shape.OutputSize, View(layout.OutputWeight!), h);
    }

    private ReadOnlySpan<float> View(ParameterTensor tensor) => _weights.AsSpan(tensor.Offset, tensor.Length);

    // The message is only formatted when the length is wrong (no allocation otherwise).
    private static void Check(int actual, int steps, int batch, int width, string name, string dimensions)
    {
        long expected = (long)steps * batch * width;
        if (actual != expected)
        {
            string sizes = dimensions.StartsWith('T') ? $"{steps} x {batch} x {width}" : $"{batch} x {width}";
            throw new ArgumentException($"{name} must hold {dimensions} = {sizes} = {expected} values, but it has {actual}.", name);
        }
    }
}

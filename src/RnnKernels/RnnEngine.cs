using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Forward pass and backpropagation through time for one <see cref="RnnModel"/> (Elman, LSTM or GRU cells), with every buffer sized once for
/// up to <see cref="MaxSteps"/> steps and <see cref="MaxBatch"/> sequences: after construction, forward and backward
/// allocate nothing.
/// </summary>
/// <remarks>
/// <para>Use: <see cref="Forward"/>, then one of <see cref="BackwardCrossEntropy"/> or <see cref="BackwardSquaredError"/>,
/// which returns the loss summed over steps and batch and <em>adds</em> the parameter gradients into
/// <see cref="Gradients"/> (clear them with <see cref="ZeroGradients"/>, typically once per training step).</para>
/// <para>Single-threaded: one call at a time. A call that overlaps another on the same engine throws
/// <see cref="InvalidOperationException"/>, and so does a backward pass, or a read of the forward's results, on another
/// thread than the forward it belongs to (a second thread's forward would have replaced them). An engine may move to
/// another thread between training steps. Separate engines share nothing mutable, a <see cref="WorkerPool"/>
/// included: any number of engines on any threads may share one pool.</para>
/// <para>The engine reads its model's parameters during each call; updating them between calls (an optimizer step)
/// is what training does, but writing them from another thread during a call gives undefined results.</para>
/// <para>Memory: the workspace (activations of every step, <see cref="MaxSteps"/> x <see cref="MaxBatch"/> rows per
/// layer) and the gradient buffer are allocated at construction and released by <see cref="Dispose"/>; any use after
/// that throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class RnnEngine : IDisposable
{
    private readonly ILayerPasses _passes;
    private RnnWorkspace? _workspace;
    private float[] _gradients;
    private int _inUse;
    private int _forwardThread;
    private int _steps;
    private int _batch;
    private bool _forwardDone;
    private float _dropout;

    /// <summary>Creates an engine and its workspace.</summary>
    /// <param name="model">The model whose parameters are read (and whose gradients are computed).</param>
    /// <param name="maxSteps">Largest T a batch will have.</param>
    /// <param name="maxBatch">Largest B a batch will have.</param>
    /// <param name="pool">Worker threads for the GEMMs, or null to run on the calling thread only. Results are
    /// bitwise identical for any degree of parallelism. The pool may be shared with other engines and threads; the
    /// engine does not dispose it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSteps"/> or <paramref name="maxBatch"/> is below 1.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="pool"/> has been disposed.</exception>
    public RnnEngine(RnnModel model, int maxSteps, int maxBatch, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Model = model;
        MaxSteps = maxSteps;
        MaxBatch = maxBatch;
        ObjectDisposedException.ThrowIf(pool is { IsDisposed: true }, pool!);
        _workspace = new RnnWorkspace(model.Shape, maxSteps, maxBatch, pool);
        _gradients = new float[model.Layout.TotalLength];
        _passes = LayerPasses.For(model.Shape.Cell);
    }

    /// <summary>
    /// Dropout probability p in [0, 1) between stacked layers, as PyTorch nn.RNN's <c>dropout</c>: every forward pass
    /// of this engine multiplies the output sequence of each layer but the last, as the next layer's input, by a
    /// fresh mask of zeros (probability p) and 1/(1-p), and backward uses the same mask. 0 (the default) turns it
    /// off; score held-out data on an engine without dropout. Masks depend on <see cref="DropoutSeed"/> and
    /// <see cref="DropoutPass"/> only, so they are the same for any number of threads.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside [0, 1).</exception>
    public float Dropout
    {
        get => _dropout;
        set
        {
            if (!(value >= 0f && value < 1f))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Dropout must be a probability in [0, 1).");
            }

            _dropout = value;
        }
    }

    /// <summary>Seed of the dropout masks.</summary>
    public ulong DropoutSeed { get; set; }

    /// <summary>
    /// Number of the next forward pass that drops: its masks are a function of (seed, pass), and each such pass adds
    /// one. Set it to replay a pass's masks, or to continue a stopped run exactly.
    /// </summary>
    public long DropoutPass { get; set; }

    /// <summary>The mask the last forward pass applied to <paramref name="layer"/>'s output (tests replay it in float64).</summary>
    internal ReadOnlySpan<float> DropoutMask(int layer) =>
        Results().Dropout is { Active: true } dropout ? dropout.Mask(layer, _steps * _batch * Model.Shape.LayerOutputSize) : [];

    /// <summary>The model.</summary>
    public RnnModel Model { get; }

    /// <summary>Largest T this engine accepts.</summary>
    public int MaxSteps { get; }

    /// <summary>Largest B this engine accepts.</summary>
    public int MaxBatch { get; }

    /// <summary>Parameter gradients in <see cref="ParameterLayout"/> order, accumulated by each backward pass.</summary>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public float[] Gradients
    {
        get
        {
            ObjectDisposedException.ThrowIf(_workspace is null, this);
            return _gradients;
        }
    }

    /// <summary>Bytes of activation, gradient and scratch buffers this engine holds (0 after <see cref="Dispose"/>).</summary>
    public long MemoryBytes => _workspace is null ? 0 : _workspace.Bytes + (_workspace.Dropout?.Bytes ?? 0) + ((long)_gradients.Length * sizeof(float));

    /// <summary>When true, backward also computes dE/dx into <see cref="InputGradient"/> (costs one more GEMM).</summary>
    public bool ComputeInputGradient { get; set; }

    /// <summary>
    /// What the last forward pass output: o_t [T, B, O]; or, for a network without an output layer, the top layer's
    /// h_t [T, B, D*H] with zeros at the steps past each entry's length (PyTorch's pad_packed_sequence output).
    /// </summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> Outputs => Results().Outputs.AsSpan(0, _steps * _batch * Model.Shape.NetworkOutputSize);

    /// <summary>
    /// h_t of the last layer for every step of the last forward pass [T, B, D*H] (both directions side by side, as
    /// PyTorch's nn.RNN output). Past an entry's length the rows hold its carried state, where PyTorch's padded output
    /// holds zeros.
    /// </summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> HiddenStates =>
        Results().LayerOutputs[Model.Shape.Layers - 1].AsSpan(0, _steps * _batch * Model.Shape.LayerOutputSize);

    /// <summary>h_n of the last forward pass [L*D, B, H]: each entry's state after its own last step (PyTorch's h_n).</summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> FinalState => Results().FinalState.AsSpan(0, Model.Shape.StateSize(_batch));

    /// <summary>c_n of the last forward pass [L*D, B, H] (LSTM; empty for other cells).</summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> FinalCellState =>
        Results().Gated is { } g && Model.Shape.HasCellState ? g.FinalCellState.AsSpan(0, Model.Shape.StateSize(_batch)) : [];

    /// <summary>dE/dc_0 of the last backward pass [L*D, B, H] (LSTM; empty for other cells).</summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> InitialCellStateGradient =>
        Results().Gated is { } g && Model.Shape.HasCellState ? g.InitialCellStateGradient.AsSpan(0, Model.Shape.StateSize(_batch)) : [];

    /// <summary>dE/dh_0 of the last backward pass [L*D, B, H].</summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> InitialStateGradient => Results().InitialStateGradient.AsSpan(0, Model.Shape.StateSize(_batch));

    /// <summary>dE/dx of the last backward pass [T, B, I], when <see cref="ComputeInputGradient"/> is set.</summary>
    /// <exception cref="InvalidOperationException">Read on another thread than the forward pass's.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public ReadOnlySpan<float> InputGradient => Results().InputGradient.AsSpan(0, _steps * _batch * Model.Shape.InputSize);

    /// <summary>The gradient of one parameter tensor, by its PyTorch name (a view into <see cref="Gradients"/>).</summary>
    /// <param name="name">A state_dict name such as <c>rnn.weight_hh_l0</c>.</param>
    /// <returns>The tensor's gradient, in its row-major layout.</returns>
    /// <exception cref="ArgumentException">The model has no tensor of that name.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public Span<float> Gradient(string name)
    {
        ParameterTensor tensor = Model.Layout.Get(name);
        return Gradients.AsSpan(tensor.Offset, tensor.Length);
    }

    /// <summary>The gradient of one parameter tensor as a 2-D view [rows, columns] (a bias is one row).</summary>
    /// <param name="name">A state_dict name.</param>
    /// <returns>A view into <see cref="Gradients"/>.</returns>
    /// <exception cref="ArgumentException">The model has no tensor of that name.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public Span2D<float> GradientMatrix(string name) => RnnModel.Matrix(Gradients, Model.Layout.Get(name));

    /// <summary>Sets every gradient to zero.</summary>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this engine.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public void ZeroGradients()
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        Gradients.AsSpan().Clear();
    }

    /// <summary>Releases the workspace and gradient buffers; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <exception cref="InvalidOperationException">A call on another thread is running on this engine.</exception>
    public void Dispose()
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        _workspace = null;
        _gradients = [];
    }

    /// <summary>Runs the network over a batch of sequences.</summary>
    /// <param name="inputs">x [T, B, I], sequence-first.</param>
    /// <param name="steps">T, 1..<see cref="MaxSteps"/>.</param>
    /// <param name="batch">B, 1..<see cref="MaxBatch"/>.</param>
    /// <param name="lengths">Per entry its length in 1..T, or empty when all are T. Steps past an entry's length are
    /// padding: they add no loss and its state stops there, as with PyTorch packed sequences.</param>
    /// <param name="initialState">h_0 [L*D, B, H], or empty for zeros.</param>
    /// <param name="initialCellState">c_0 [L*D, B, H] of an LSTM, or empty for zeros (must be empty for other cells).</param>
    /// <exception cref="ArgumentOutOfRangeException">steps, batch or a length is out of range.</exception>
    /// <exception cref="ArgumentException">A span's length does not match the shape (the message gives both).</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this engine.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(
        ReadOnlySpan<float> inputs, int steps, int batch, ReadOnlySpan<int> lengths = default, ReadOnlySpan<float> initialState = default,
        ReadOnlySpan<float> initialCellState = default)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        RnnWorkspace ws = Workspace();
        RnnShape shape = Model.Shape;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, MaxSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        int rows = steps * batch;
        if (inputs.Length != rows * shape.InputSize)
        {
            throw LengthError(inputs.Length, rows * shape.InputSize, nameof(inputs),
                $"T x B x I = {steps} x {batch} x {shape.InputSize}");
        }

        if (!initialState.IsEmpty && initialState.Length != shape.StateSize(batch))
        {
            throw LengthError(initialState.Length, shape.StateSize(batch), nameof(initialState),
                $"L*D x B x H = {shape.Layers * shape.Directions} x {batch} x {shape.HiddenSize}");
        }

        if (!initialCellState.IsEmpty && (!shape.HasCellState || initialCellState.Length != shape.StateSize(batch)))
        {
            throw shape.HasCellState
                ? LengthError(initialCellState.Length, shape.StateSize(batch), nameof(initialCellState),
                    $"L*D x B x H = {shape.Layers * shape.Directions} x {batch} x {shape.HiddenSize}")
                : new ArgumentException($"initialCellState is for an LSTM; this model's cell is {shape.Cell}, whose only state is h.", nameof(initialCellState));
        }

        SetLengths(ws, lengths, steps, batch);
        _forwardDone = false;
        _forwardThread = Environment.CurrentManagedThreadId;
        _steps = steps;
        _batch = batch;
        inputs.CopyTo(ws.Input);
        Span<float> h0 = ws.InitialState.AsSpan(0, shape.StateSize(batch));
        ws.InitialStateIsZero = initialState.IsEmpty;
        if (initialState.IsEmpty)
        {
            h0.Clear();
        }
        else
        {
            initialState.CopyTo(h0);
        }

        if (ws.Gated is { } gated && shape.HasCellState)
        {
            Span<float> c0 = gated.InitialCellState.AsSpan(0, shape.StateSize(batch));
            if (initialCellState.IsEmpty)
            {
                c0.Clear();
            }
            else
            {
                initialCellState.CopyTo(c0);
            }
        }

        bool drop = _dropout > 0f && shape.Layers > 1;
        if (drop)
        {
            ws.Dropout ??= new LayerDropout(shape, MaxSteps * MaxBatch);
        }

        if (ws.Dropout is not null)
        {
            ws.Dropout.Active = drop;
        }

        for (int layer = 0; layer < shape.Layers; layer++)
        {
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                _passes.Forward(Model, ws, layer, direction, steps, batch);
            }

            if (drop && layer < shape.Layers - 1)
            {
                ws.Dropout!.Apply(ws.LayerOutputs[layer].AsSpan(0, rows * shape.LayerOutputSize), layer, _dropout, DropoutSeed, DropoutPass);
            }
        }

        if (drop)
        {
            DropoutPass++;
        }

        if (shape.HasOutputLayer)
        {
            OutputLayer.Forward(Model, ws, rows);
        }
        else
        {
            PadTopOutputs(ws, steps, batch);
        }

        _forwardDone = true;
    }

    /// <summary>
    /// Backpropagation through time from gradients the caller computed (autograd's contract, for a wrapper that owns
    /// the loss and whatever surrounds the network): adds every parameter gradient into <see cref="Gradients"/> and
    /// leaves dE/dh_0 in <see cref="InitialStateGradient"/>, dE/dc_0 in <see cref="InitialCellStateGradient"/> and, with
    /// <see cref="ComputeInputGradient"/>, dE/dx in <see cref="InputGradient"/>.
    /// </summary>
    /// <param name="outputGradient">dE/d<see cref="Outputs"/> of the last forward pass: [T, B, O], or [T, B, D*H] for a
    /// network without an output layer (values at padding steps are ignored: those outputs are constant zeros).</param>
    /// <param name="finalStateGradient">dE/dh_n [L*D, B, H], or empty when h_n does not reach the loss.</param>
    /// <param name="finalCellStateGradient">dE/dc_n [L*D, B, H] of an LSTM, or empty.</param>
    /// <exception cref="ArgumentException">A span does not hold the number of values the last forward pass's shape needs.</exception>
    /// <exception cref="InvalidOperationException">No forward pass on this thread precedes it, or the call overlapped another.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(
        ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> finalStateGradient = default, ReadOnlySpan<float> finalCellStateGradient = default)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        RnnWorkspace ws = Results();
        EnsureForward();
        RnnShape shape = Model.Shape;
        int rows = _steps * _batch, width = shape.NetworkOutputSize, state = shape.StateSize(_batch);
        if (outputGradient.Length != rows * width)
        {
            throw LengthError(outputGradient.Length, rows * width, nameof(outputGradient),
                $"T x B x {(shape.HasOutputLayer ? "O" : "D*H")} = {_steps} x {_batch} x {width}");
        }

        if (!finalStateGradient.IsEmpty && finalStateGradient.Length != state)
        {
            throw LengthError(finalStateGradient.Length, state, nameof(finalStateGradient), StateDimensions(_batch));
        }

        if (!finalCellStateGradient.IsEmpty && (!shape.HasCellState || finalCellStateGradient.Length != state))
        {
            throw shape.HasCellState
                ? LengthError(finalCellStateGradient.Length, state, nameof(finalCellStateGradient), StateDimensions(_batch))
                : new ArgumentException($"finalCellStateGradient is for an LSTM; this model's cell is {shape.Cell}, whose only state is h.", nameof(finalCellStateGradient));
        }

        // Outputs past an entry's length are constant (zeros, or logits the loss never reads): no gradient flows from them.
        Span<float> target = shape.HasOutputLayer ? ws.OutputGradient.AsSpan(0, rows * width) : ws.LayerOutputGradients[^1].AsSpan(0, rows * width);
        outputGradient.CopyTo(target);
        ClearPaddingRows(ws, target, width);
        StartFrom(ws, finalStateGradient, finalCellStateGradient);
        Backward(ws);
    }

    private string StateDimensions(int batch) =>
        $"L*D x B x H = {Model.Shape.Layers * Model.Shape.Directions} x {batch} x {Model.Shape.HiddenSize}";

    /// <summary>The top layer's outputs with the rows past each entry's length set to zero, as PyTorch pads them.</summary>
    private void PadTopOutputs(RnnWorkspace ws, int steps, int batch)
    {
        int width = Model.Shape.LayerOutputSize;
        Span<float> outputs = ws.Outputs.AsSpan(0, steps * batch * width);
        ws.LayerOutputs[^1].AsSpan(0, outputs.Length).CopyTo(outputs);
        ClearPaddingRows(ws, outputs, width);
    }

    private void ClearPaddingRows(RnnWorkspace ws, Span<float> values, int width) =>
        StepActivity.ClearPadding(ws.Lengths.AsSpan(0, _batch), ws.AllActive, _steps, values, width);

    /// <summary>Where the next backward pass's carried gradients start: the caller's dE/dh_n and dE/dc_n, or zeros.</summary>
    private void StartFrom(RnnWorkspace ws, ReadOnlySpan<float> finalStateGradient, ReadOnlySpan<float> finalCellStateGradient)
    {
        ws.HasFinalStateGradient = !finalStateGradient.IsEmpty;
        finalStateGradient.CopyTo(ws.FinalStateGradient);
        ws.HasFinalCellStateGradient = !finalCellStateGradient.IsEmpty;
        finalCellStateGradient.CopyTo(ws.FinalCellStateGradient);
    }

    /// <summary>
    /// Softmax cross-entropy of the last forward's outputs against class targets, summed over steps and batch, then
    /// backpropagation through time; adds every parameter gradient into <see cref="Gradients"/>.
    /// </summary>
    /// <param name="targets">Class per step and entry [T, B], each in 0..O-1 (values at padded steps are ignored).</param>
    /// <returns>The summed loss in nats.</returns>
    /// <exception cref="ArgumentException">targets does not hold T x B values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target at a live step is not a class in 0..O-1.</exception>
    /// <exception cref="InvalidOperationException">No forward pass on this thread precedes it, the call overlapped another,
    /// or the model has a single output unit (O = 1), for which cross-entropy is always 0.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double BackwardCrossEntropy(ReadOnlySpan<int> targets)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        RnnWorkspace ws = Results();
        double loss = CrossEntropy(ws, targets);
        StartFrom(ws, [], []);
        Backward(ws);
        return loss;
    }

    /// <summary>
    /// Softmax cross-entropy of the last forward's outputs against class targets, summed over steps and batch, without
    /// a backward pass: for evaluation (forward, then this; <see cref="Gradients"/> are left as they are).
    /// </summary>
    /// <param name="targets">Class per step and entry [T, B], each in 0..O-1 (values at padded steps are ignored).</param>
    /// <returns>The summed loss in nats.</returns>
    /// <exception cref="ArgumentException">targets does not hold T x B values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target at a live step is not a class in 0..O-1.</exception>
    /// <exception cref="InvalidOperationException">No forward pass on this thread precedes it, or the call overlapped another.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public double CrossEntropyLoss(ReadOnlySpan<int> targets)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        return CrossEntropy(Results(), targets);
    }

    /// <summary>The loss of the last forward against targets, its gradient w.r.t. the logits left in the workspace.</summary>
    private double CrossEntropy(RnnWorkspace ws, ReadOnlySpan<int> targets)
    {
        EnsureClasses(Model.Shape);
        EnsureForward();
        int rows = _steps * _batch, classes = Model.Shape.OutputSize;
        if (targets.Length != rows)
        {
            throw LengthError(targets.Length, rows, nameof(targets), $"T x B = {_steps} x {_batch}");
        }

        Span<int> masked = ws.MaskedTargets.AsSpan(0, rows);
        for (int t = 0; t < _steps; t++)
        {
            for (int b = 0; b < _batch; b++)
            {
                int i = (t * _batch) + b;
                if (t >= ws.Lengths[b])
                {
                    masked[i] = -1;
                    continue;
                }

                int target = targets[i];
                if ((uint)target >= (uint)classes)
                {
                    throw new ArgumentOutOfRangeException(nameof(targets), target,
                        $"targets[t={t}, b={b}] must be a class in 0..{classes - 1}, but it is {target}.");
                }

                masked[i] = target;
            }
        }

        return SoftmaxCrossEntropy.Compute(ws.Outputs.AsSpan(0, rows * classes), masked, classes, 1f, ws.OutputGradient, ws.Pool);
    }

    /// <summary>
    /// Squared error sum (o - y)^2 of the last forward's outputs against float targets, summed over steps, batch and
    /// outputs, then backpropagation through time; adds every parameter gradient into <see cref="Gradients"/>.
    /// </summary>
    /// <param name="targets">y [T, B, O] (values at padded steps are ignored).</param>
    /// <returns>The summed loss.</returns>
    /// <exception cref="ArgumentException">targets does not hold T x B x O values.</exception>
    /// <exception cref="InvalidOperationException">No forward pass on this thread precedes it, or the call overlapped another.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public double BackwardSquaredError(ReadOnlySpan<float> targets)
    {
        using ExclusiveUse use = ExclusiveUse.Enter(ref _inUse, this);
        RnnWorkspace ws = Results();
        EnsureOutputLayer(Model.Shape);
        EnsureForward();
        int rows = _steps * _batch, o = Model.Shape.OutputSize;
        if (targets.Length != rows * o)
        {
            throw LengthError(targets.Length, rows * o, nameof(targets), $"T x B x O = {_steps} x {_batch} x {o}");
        }

        double loss = SquaredError.Compute(ws.Outputs, targets, _steps, _batch, o, ws.Lengths, ws.OutputGradient);
        StartFrom(ws, [], []);
        Backward(ws);
        return loss;
    }

    private void Backward(RnnWorkspace ws)
    {
        RnnShape shape = Model.Shape;
        int rows = _steps * _batch;
        if (shape.HasOutputLayer)
        {
            OutputLayer.Backward(Model, ws, _gradients, rows);
        }

        for (int layer = shape.Layers - 1; layer >= 0; layer--)
        {
            Span<float> inputGradient = layer > 0
                ? ws.LayerOutputGradients[layer - 1].AsSpan(0, rows * shape.LayerOutputSize)
                : ComputeInputGradient ? ws.InputGradient.AsSpan(0, rows * shape.InputSize) : [];
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                _passes.Backward(Model, ws, _gradients, layer, direction, _steps, _batch, inputGradient, overwriteInputGradient: direction == 0);
            }

            if (layer > 0 && ws.Dropout is { Active: true } dropout)
            {
                // The layer below's output reached this layer through the mask: so does its gradient.
                Elementwise.Multiply(inputGradient, dropout.Mask(layer - 1, inputGradient.Length), inputGradient);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SetLengths(RnnWorkspace ws, ReadOnlySpan<int> lengths, int steps, int batch)
    {
        Span<int> target = ws.Lengths.AsSpan(0, batch);
        if (lengths.IsEmpty)
        {
            target.Fill(steps);
        }
        else
        {
            if (lengths.Length != batch)
            {
                throw LengthError(lengths.Length, batch, nameof(lengths), $"B = {batch}");
            }

            for (int b = 0; b < batch; b++)
            {
                if (lengths[b] < 1 || lengths[b] > steps)
                {
                    throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}] must be in 1..{steps}, but it is {lengths[b]}.");
                }
            }

            lengths.CopyTo(target);
        }

        StepActivity.Compute(target, steps, ws.ActiveRows, ws.AllActive);
    }

    private RnnWorkspace Workspace()
    {
        ObjectDisposedException.ThrowIf(_workspace is null, this);
        return _workspace;
    }

    /// <summary>The workspace holding the last forward's results, which belong to the thread that ran it.</summary>
    private RnnWorkspace Results()
    {
        RnnWorkspace ws = Workspace();
        if (_forwardThread != 0 && _forwardThread != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException(
                "RnnEngine is single-threaded: the last Forward ran on another thread, so its results belong to that thread " +
                "(a backward pass or a read of the results must follow its forward pass on the same thread).");
        }

        return ws;
    }

    /// <summary>
    /// Refuses softmax cross-entropy over a single output unit: a one-class softmax gives probability 1 whatever the
    /// logits, so its loss and gradient are always 0 and nothing would train.
    /// </summary>
    internal static void EnsureClasses(RnnShape shape)
    {
        EnsureOutputLayer(shape);
        if (shape.OutputSize < 2)
        {
            throw new InvalidOperationException(
                "Softmax cross-entropy needs at least 2 classes, but this model has one output unit (O = 1), so its loss would always be 0; " +
                "train it with squared error (BackwardSquaredError, or Trainer.Step with float targets y [T, B, O]).");
        }
    }

    /// <summary>Refuses a loss on a network without an output layer: its caller owns the loss and calls <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    internal static void EnsureOutputLayer(RnnShape shape)
    {
        if (!shape.HasOutputLayer)
        {
            throw new InvalidOperationException(
                "This network is the recurrent layers alone (no output layer, O = 0), so it has no loss of its own: " +
                "compute the loss from Outputs and call Backward(outputGradient, finalStateGradient, finalCellStateGradient).");
        }
    }

    private void EnsureForward()
    {
        if (!_forwardDone)
        {
            throw new InvalidOperationException("A loss or a backward pass needs a completed Forward on this engine first.");
        }
    }

    // Callers test the length first, so the message is only formatted when it is wrong (no allocation otherwise).
    private static ArgumentException LengthError(int actual, int expected, string name, string shape) =>
        new($"{name} must hold {shape} = {expected} values, but it has {actual}.", name);
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Forward pass and backpropagation through time for one <see cref="RnnModel"/>, with every buffer sized once for
/// up to <see cref="MaxSteps"/> steps and <see cref="MaxBatch"/> sequences: after construction, forward and backward
/// allocate nothing.
/// </summary>
/// <remarks>
/// <para>Use: <see cref="Forward"/>, then one of <see cref="BackwardCrossEntropy"/> or <see cref="BackwardSquaredError"/>,
/// which returns the loss summed over steps and batch and <em>adds</em> the parameter gradients into
/// <see cref="Gradients"/> (clear them with <see cref="ZeroGradients"/>, typically once per training step).</para>
/// <para>Not thread-safe: an engine and its model belong to one thread at a time. Separate engines on separate
/// threads share nothing mutable (the kernels keep their scratch per thread).</para>
/// </remarks>
public sealed class RnnEngine
{
    private readonly RnnWorkspace _ws;
    private int _steps;
    private int _batch;
    private bool _forwardDone;

    /// <summary>Creates an engine and its workspace.</summary>
    /// <param name="model">The model whose parameters are read (and whose gradients are computed).</param>
    /// <param name="maxSteps">Largest T a batch will have.</param>
    /// <param name="maxBatch">Largest B a batch will have.</param>
    /// <param name="pool">Worker threads for the GEMMs, or null to run on the calling thread only. Results are
    /// bitwise identical for any degree of parallelism.</param>
    public RnnEngine(RnnModel model, int maxSteps, int maxBatch, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Model = model;
        MaxSteps = maxSteps;
        MaxBatch = maxBatch;
        _ws = new RnnWorkspace(model.Shape, maxSteps, maxBatch, pool);
        Gradients = new float[model.Layout.TotalLength];
    }

    /// <summary>The model.</summary>
    public RnnModel Model { get; }

    /// <summary>Largest T this engine accepts.</summary>
    public int MaxSteps { get; }

    /// <summary>Largest B this engine accepts.</summary>
    public int MaxBatch { get; }

    /// <summary>Parameter gradients in <see cref="ParameterLayout"/> order, accumulated by each backward pass.</summary>
    public float[] Gradients { get; }

    /// <summary>When true, backward also computes dE/dx into <see cref="InputGradient"/> (costs one more GEMM).</summary>
    public bool ComputeInputGradient { get; set; }

    /// <summary>o_t of the last forward pass [T, B, O].</summary>
    public ReadOnlySpan<float> Outputs => _ws.Logits.AsSpan(0, _steps * _batch * Model.Shape.OutputSize);

    /// <summary>h_n of the last forward pass [L*D, B, H]: each entry's state after its own last step (PyTorch's h_n).</summary>
    public ReadOnlySpan<float> FinalState => _ws.FinalState.AsSpan(0, Model.Shape.StateSize(_batch));

    /// <summary>dE/dh_0 of the last backward pass [L*D, B, H].</summary>
    public ReadOnlySpan<float> InitialStateGradient => _ws.InitialStateGradient.AsSpan(0, Model.Shape.StateSize(_batch));

    /// <summary>dE/dx of the last backward pass [T, B, I], when <see cref="ComputeInputGradient"/> is set.</summary>
    public ReadOnlySpan<float> InputGradient => _ws.InputGradient.AsSpan(0, _steps * _batch * Model.Shape.InputSize);

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients() => Gradients.AsSpan().Clear();

    /// <summary>Runs the network over a batch of sequences.</summary>
    /// <param name="inputs">x [T, B, I], sequence-first.</param>
    /// <param name="steps">T, 1..<see cref="MaxSteps"/>.</param>
    /// <param name="batch">B, 1..<see cref="MaxBatch"/>.</param>
    /// <param name="lengths">Per entry its length in 1..T, or empty when all are T. Steps past an entry's length are
    /// padding: they add no loss and its state stops there, as with PyTorch packed sequences.</param>
    /// <param name="initialState">h_0 [L*D, B, H], or empty for zeros.</param>
    public void Forward(ReadOnlySpan<float> inputs, int steps, int batch, ReadOnlySpan<int> lengths = default, ReadOnlySpan<float> initialState = default)
    {
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

        SetLengths(lengths, steps, batch);
        _forwardDone = false;
        _steps = steps;
        _batch = batch;
        inputs.CopyTo(_ws.Input);
        Span<float> h0 = _ws.InitialState.AsSpan(0, shape.StateSize(batch));
        if (initialState.IsEmpty)
        {
            h0.Clear();
        }
        else
        {
            initialState.CopyTo(h0);
        }


        for (int layer = 0; layer < shape.Layers; layer++)
        {
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                RecurrentLayer.Forward(Model, _ws, layer, direction, steps, batch);
            }
        }

        OutputLayer.Forward(Model, _ws, rows);
        _forwardDone = true;
    }

    /// <summary>
    /// Softmax cross-entropy of the last forward's outputs against class targets, summed over steps and batch, then
    /// backpropagation through time; adds every parameter gradient into <see cref="Gradients"/>.
    /// </summary>
    /// <param name="targets">Class per step and entry [T, B], each in 0..O-1 (values at padded steps are ignored).</param>
    /// <returns>The summed loss in nats.</returns>
    public double BackwardCrossEntropy(ReadOnlySpan<int> targets)
    {
        EnsureForward();
        int rows = _steps * _batch, classes = Model.Shape.OutputSize;
        if (targets.Length != rows)
        {
            throw LengthError(targets.Length, rows, nameof(targets), $"T x B = {_steps} x {_batch}");
        }

        Span<int> masked = _ws.MaskedTargets.AsSpan(0, rows);
        for (int t = 0; t < _steps; t++)
        {
            for (int b = 0; b < _batch; b++)
            {
                int i = (t * _batch) + b;
                if (t >= _ws.Lengths[b])
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


        double loss = SoftmaxCrossEntropy.Compute(_ws.Logits.AsSpan(0, rows * classes), masked, classes, 1f, _ws.LogitGradient, _ws.Pool);
        Backward();
        return loss;
    }

    /// <summary>
    /// Squared error sum (o - y)^2 of the last forward's outputs against float targets, summed over steps, batch and
    /// outputs, then backpropagation through time; adds every parameter gradient into <see cref="Gradients"/>.
    /// </summary>
    /// <param name="targets">y [T, B, O] (values at padded steps are ignored).</param>
    /// <returns>The summed loss.</returns>
    public double BackwardSquaredError(ReadOnlySpan<float> targets)
    {
        EnsureForward();
        int rows = _steps * _batch, o = Model.Shape.OutputSize;
        if (targets.Length != rows * o)
        {
            throw LengthError(targets.Length, rows * o, nameof(targets), $"T x B x O = {_steps} x {_batch} x {o}");
        }

        double loss = SquaredError.Compute(_ws.Logits, targets, _steps, _batch, o, _ws.Lengths, _ws.LogitGradient);
        Backward();
        return loss;
    }

    private void Backward()
    {
        RnnShape shape = Model.Shape;
        int rows = _steps * _batch;
        OutputLayer.Backward(Model, _ws, Gradients, rows);
        for (int layer = shape.Layers - 1; layer >= 0; layer--)
        {
            Span<float> inputGradient = layer > 0
                ? _ws.LayerOutputGradients[layer - 1].AsSpan(0, rows * shape.LayerOutputSize)
                : ComputeInputGradient ? _ws.InputGradient.AsSpan(0, rows * shape.InputSize) : [];
            for (int direction = 0; direction < shape.Directions; direction++)
            {
                RecurrentLayer.Backward(Model, _ws, Gradients, layer, direction, _steps, _batch, inputGradient, overwriteInputGradient: direction == 0);
            }
        }
    }

    private void SetLengths(ReadOnlySpan<int> lengths, int steps, int batch)
    {
        Span<int> target = _ws.Lengths.AsSpan(0, batch);
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


        for (int t = 0; t < steps; t++)
        {
            int active = 0;
            bool all = true;
            for (int b = 0; b < batch; b++)
            {
                if (t < target[b])
                {
                    active = b + 1;
                }
                else
                {
                    all = false;
                }
            }

            _ws.ActiveRows[t] = active;
            _ws.AllActive[t] = all;
        }
    }

    private void EnsureForward()
    {
        if (!_forwardDone)
        {
            throw new InvalidOperationException("Backward needs a completed Forward on this engine first.");
        }
    }

    // Callers test the length first, so the message is only formatted when it is wrong (no allocation otherwise).
    private static ArgumentException LengthError(int actual, int expected, string name, string shape) =>
        new($"{name} must hold {shape} = {expected} values, but it has {actual}.", name);
}

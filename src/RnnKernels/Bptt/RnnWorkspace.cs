using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// Every activation and scratch buffer one engine needs, sized once for (T_max, B_max, shape) and reused by every
/// forward and backward pass. Sequence-first: row (t, b) of a [T, B, W] buffer starts at (t*B + b)*W, so one time
/// step's batch is contiguous.
/// </summary>
internal sealed class RnnWorkspace
{
    public RnnWorkspace(RnnShape shape, int maxSteps, int maxBatch, WorkerPool? pool)
    {
        Pool = pool;
        var tally = new BufferTally();
        int rows = checked(maxSteps * maxBatch);
        int h = shape.HiddenSize, dh = shape.LayerOutputSize;
        Input = tally.Floats((long)rows * shape.InputSize);
        InputGradient = tally.Floats(Input.Length);
        LayerOutputs = new float[shape.Layers][];
        LayerOutputGradients = new float[shape.Layers][];
        for (int l = 0; l < shape.Layers; l++)
        {
            LayerOutputs[l] = tally.Floats((long)rows * dh);
            LayerOutputGradients[l] = tally.Floats((long)rows * dh);
        }

        bool elman = shape.Cell == CellKind.Rnn;
        // The Elman steps read W_R^T (forward) and W_R (backward) packed once per pass, as the gated ones do (see
        // GatedWorkspace); one matrix serves both directions, as the passes do not overlap.
        int packed = elman ? h : 0;
        bool oneRow = maxBatch == 1;
        PackedRecurrent = tally.Packed(new PackedMatrix(packed, packed, oneRow ? PackedLayout.OneRow : PackedLayout.Panels));
        PacksBackwardRecurrent = !oneRow || PackedMatrix.PaysForOneRow(Transpose.No);
        PreActivationGradient = tally.Floats(elman ? (long)rows * h : 0);
        PreviousStates = tally.Floats((long)Math.Min(rows, shape.GateRows) * h);
        Gated = elman ? null : new GatedWorkspace(shape, maxSteps, maxBatch, tally);
        Outputs = tally.Floats((long)rows * shape.NetworkOutputSize);
        OutputGradient = tally.Floats(Outputs.Length);
        InitialState = tally.Floats(shape.StateSize(maxBatch));
        FinalState = tally.Floats(InitialState.Length);
        InitialStateGradient = tally.Floats(InitialState.Length);
        FinalStateGradient = tally.Floats(InitialState.Length);
        FinalCellStateGradient = tally.Floats(shape.HasCellState ? InitialState.Length : 0);
        CarriedGradient = tally.Floats((long)maxBatch * h);
        SavedCarry = tally.Floats((long)maxBatch * h);
        BiasGradient = tally.Floats(shape.GateRows);
        BiasSum = tally.Floats(shape.GateRows);
        Lengths = tally.Ints(maxBatch);
        ActiveRows = tally.Ints(maxSteps);
        AllActive = tally.Bools(maxSteps);
        MaskedTargets = tally.Ints(rows);
        Bias = new BiasEpilogue();
        StepActivationEpilogue = new StepActivationEpilogue(new ElmanCell(shape.Nonlinearity));
        StepGradientEpilogue = new StepGradientEpilogue(new ElmanCell(shape.Nonlinearity));
        WeightGradients = new WeightGradientPairWork(this);
        OutputGradients = new OutputGradientPairWork(this);
        Bytes = tally.Bytes;
    }

    /// <summary>The LSTM or GRU buffers, or null for an Elman network.</summary>
    public GatedWorkspace? Gated { get; }

    /// <summary>Dropout's masks and masked outputs, made on the first forward pass that drops (null until then).</summary>
    public LayerDropout? Dropout { get; set; }

    /// <summary>Bytes of the buffers above (the gated ones included), as allocated.</summary>
    public long Bytes { get; }

    /// <summary>Threads for the GEMMs (split by output tiles, so results do not depend on their number), or null.</summary>
    public WorkerPool? Pool { get; }

    /// <summary>The bias added onto the input projections and the output layer's product.</summary>
    public BiasEpilogue Bias { get; }

    /// <summary>b_ih + b_hh [G*H] of the layer direction being run (and scratch for bias-gradient sums).</summary>
    public float[] BiasSum { get; }

    /// <summary>The activation fused onto each forward step's product.</summary>
    public StepActivationEpilogue StepActivationEpilogue { get; }

    /// <summary>The next step's dA, fused onto each backward step's product.</summary>
    public StepGradientEpilogue StepGradientEpilogue { get; }

    /// <summary>dW_R and dW_F side by side on a two-thread pool.</summary>
    public WeightGradientPairWork WeightGradients { get; }

    /// <summary>The output layer's dW_o and dE/dh side by side on a two-thread pool.</summary>
    public OutputGradientPairWork OutputGradients { get; }

    /// <summary>x [T, B, I], copied at forward because backward needs it for dW_F.</summary>
    public float[] Input { get; }

    /// <summary>dE/dx [T, B, I], filled when the engine is asked for it.</summary>
    public float[] InputGradient { get; }

    /// <summary>Per layer h_t of both directions [T, B, D*H] (pre-activations before the step loop runs).</summary>
    public float[][] LayerOutputs { get; }

    /// <summary>Per layer dE/dh_t [T, B, D*H] coming from above.</summary>
    public float[][] LayerOutputGradients { get; }

    /// <summary>
    /// The recurrent weights of the layer and direction being run, packed once per pass for its T step products:
    /// W_R^T going forward, W_R going backward (passes run one at a time, so one buffer serves them all).
    /// </summary>
    public PackedMatrix PackedRecurrent { get; }

    /// <summary>Whether the Elman backward steps read <see cref="PackedRecurrent"/> (packed with W_R) rather than W_R itself.</summary>
    public bool PacksBackwardRecurrent { get; }

    /// <summary>dE/da_t [T, B, H] of the direction being back-propagated.</summary>
    public float[] PreActivationGradient { get; }

    /// <summary>
    /// h_{t-1} of every step of a pass [T, B, H], where copying them side by side pays (see
    /// <see cref="LayerProducts.RecurrentWeightGradient"/>): room for fewer than G*H rows.
    /// </summary>
    public float[] PreviousStates { get; }

    /// <summary>What the network outputs [T, B, O]: o_t, or without an output layer the top layer's h_t with zeros at padding steps [T, B, D*H].</summary>
    public float[] Outputs { get; }

    /// <summary>dE/d(output) [T, B, O] (or [T, B, D*H] without an output layer).</summary>
    public float[] OutputGradient { get; }

    /// <summary>h_0 [L*D, B, H] as given (zeros when not).</summary>
    public float[] InitialState { get; }

    /// <summary>
    /// No h_0 was given to the last forward pass (<see cref="InitialState"/> holds zeros), so products with it add
    /// nothing and are skipped.
    /// </summary>
    public bool InitialStateIsZero { get; set; }

    /// <summary>h_n [L*D, B, H]: each entry's state at its own last step.</summary>
    public float[] FinalState { get; }

    /// <summary>dE/dh_n [L*D, B, H] given by the caller of a backward pass (the gradient that flows in through h_n).</summary>
    public float[] FinalStateGradient { get; }

    /// <summary>dE/dc_n [L*D, B, H] given by the caller (LSTM; empty otherwise).</summary>
    public float[] FinalCellStateGradient { get; }

    /// <summary>Whether the backward pass running now starts from <see cref="FinalStateGradient"/> (else from zeros).</summary>
    public bool HasFinalStateGradient { get; set; }

    /// <summary>Whether the backward pass running now starts from <see cref="FinalCellStateGradient"/> (else from zeros).</summary>
    public bool HasFinalCellStateGradient { get; set; }

    /// <summary>dE/dh_0 [L*D, B, H].</summary>
    public float[] InitialStateGradient { get; }

    /// <summary>dE/dh_{t-1} carried back through time [B, H].</summary>
    public float[] CarriedGradient { get; }

    /// <summary>Carried gradient of finished entries, kept aside while the step GEMM overwrites their rows [B, H].</summary>
    public float[] SavedCarry { get; }

    /// <summary>Scratch for one bias gradient [G*H] (added to both b_ih and b_hh).</summary>
    public float[] BiasGradient { get; }

    /// <summary>Per batch entry its length (1..T).</summary>
    public int[] Lengths { get; }

    /// <summary>Per step: rows [0, ActiveRows[t]) hold every entry still running at t (the GEMM's M).</summary>
    public int[] ActiveRows { get; }

    /// <summary>Per step: true when every entry of the batch is running at t (no carried rows to patch).</summary>
    public bool[] AllActive { get; }

    /// <summary>Class targets with steps past an entry's length set to -1 [T, B].</summary>
    public int[] MaskedTargets { get; }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// The buffers an LSTM or GRU layer pass needs beyond the Elman ones, sized once with the engine. Sequence-first like
/// the rest: row (t, b) of a [T, B, W] buffer starts at (t*B + b)*W.
/// </summary>
internal sealed class GatedWorkspace
{
    public GatedWorkspace(RnnShape shape, int maxSteps, int maxBatch, BufferTally tally)
    {
        int rows = checked(maxSteps * maxBatch), h = shape.HiddenSize, gh = shape.GateRows;
        int passes = shape.Layers * shape.Directions;
        Gates = new float[passes][];
        Cells = new float[passes][];
        for (int p = 0; p < passes; p++)
        {
            Gates[p] = tally.Floats((long)rows * gh);
            Cells[p] = tally.Floats((long)rows * h);
        }

        StepProducts = tally.Floats((long)maxBatch * gh);
        GateGradient = tally.Floats((long)rows * gh);
        InputGateGradient = tally.Floats(shape.Cell == CellKind.Gru ? (long)rows * h : 0);
        CarriedCell = tally.Floats((long)maxBatch * h);
        // Steps read W_R^T (forward) and W_R (backward) packed once per pass: in the GEMM's panels (a ragged batch's
        // one-row steps read those as they are), or at batch 1 for the matrix-vector kernel where that pays.
        bool oneRow = maxBatch == 1;
        PackedForward = tally.Packed(new PackedMatrix(h, gh, oneRow ? PackedLayout.OneRow : PackedLayout.Panels));
        PackedBackward = !oneRow ? tally.Packed(new PackedMatrix(gh, h))
            : PackedMatrix.PaysForOneRow(Transpose.No) ? tally.Packed(new PackedMatrix(gh, h, PackedLayout.OneRow)) : null;
        int state = shape.HasCellState ? shape.StateSize(maxBatch) : 0;
        InitialCellState = tally.Floats(state);
        FinalCellState = tally.Floats(state);
        InitialCellStateGradient = tally.Floats(state);
        Step = shape.Cell == CellKind.Lstm ? new GatedStepEpilogue<LstmCell>(h) : new GatedStepEpilogue<GruCell>(h);
    }

    /// <summary>Per layer and direction: the input projections of all gates [T, B, G*H], activated in place step by step.</summary>
    public float[][] Gates { get; }

    /// <summary>Per layer and direction [T, B, H]: the LSTM's c_t, or the GRU's W_hn h_{t-1} + b_hn (backward needs both).</summary>
    public float[][] Cells { get; }

    /// <summary>One step's h_{t-1} W_R^T (+ b_hh for the GRU) [B, G*H].</summary>
    public float[] StepProducts { get; }

    /// <summary>dE/d(pre-activation) on the recurrent side [T, B, G*H] of the pass being back-propagated.</summary>
    public float[] GateGradient { get; }

    /// <summary>GRU only: the n gate's pre-activation gradient on the input side [T, B, H] (the recurrent side's is r times it).</summary>
    public float[] InputGateGradient { get; }

    /// <summary>dE/dc_{t} carried back through time [B, H] (LSTM).</summary>
    public float[] CarriedCell { get; }

    /// <summary>W_R^T packed for the forward step products (k = H, n = G*H).</summary>
    public PackedMatrix PackedForward { get; }

    /// <summary>W_R packed for the backward step products (k = G*H, n = H), or null where they read W_R itself.</summary>
    public PackedMatrix? PackedBackward { get; }

    /// <summary>c0 [L*D, B, H] as given (zeros when not); LSTM only.</summary>
    public float[] InitialCellState { get; }

    /// <summary>c_n [L*D, B, H]; LSTM only.</summary>
    public float[] FinalCellState { get; }

    /// <summary>dE/dc0 [L*D, B, H]; LSTM only.</summary>
    public float[] InitialCellStateGradient { get; }

    /// <summary>The cell update fused onto each forward step product (a <see cref="GatedStepEpilogue{TCell}"/> of the model's cell).</summary>
    public IGemmEpilogue Step { get; }
}

namespace RnnKernels;

/// <summary>
/// The sizes and places of one layer pass (a layer in one direction over T steps of B entries), computed once per pass
/// instead of in every function it calls.
/// </summary>
internal readonly struct LayerPass
{
    public LayerPass(RnnShape shape, int layer, int direction, int steps, int batch)
    {
        (Layer, Direction, Steps, Batch) = (layer, direction, steps, batch);
        Hidden = shape.HiddenSize;
        GateRows = shape.GateRows;
        OutputWidth = shape.LayerOutputSize;
        InputWidth = shape.LayerInputSize(layer);
        Index = (layer * shape.Directions) + direction;
        StateAt = Index * batch * Hidden;
    }

    /// <summary>The layer.</summary>
    public int Layer { get; }

    /// <summary>0 forward, 1 reverse.</summary>
    public int Direction { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>H.</summary>
    public int Hidden { get; }

    /// <summary>G*H.</summary>
    public int GateRows { get; }

    /// <summary>D*H: row width of the layer's output, where this direction owns columns [Column, Column + H).</summary>
    public int OutputWidth { get; }

    /// <summary>Row width of the layer's input: I, or D*H above layer 0.</summary>
    public int InputWidth { get; }

    /// <summary>layer*D + direction: which per-pass buffers and state slices are this pass's.</summary>
    public int Index { get; }

    /// <summary>Where this pass's [B, H] slice of an [L*D, B, H] state starts.</summary>
    public int StateAt { get; }

    /// <summary>T*B.</summary>
    public int Rows => Steps * Batch;

    /// <summary>This direction's first column in the layer output.</summary>
    public int Column => Direction * Hidden;

    /// <summary>The time step processed s-th (reversed for the reverse direction).</summary>
    public int StepAt(int s) => Direction == 0 ? s : Steps - 1 - s;

    /// <summary>The pass's input X [T*B, InputWidth]: the engine's input, or the layer below's output (masked by dropout).</summary>
    public ReadOnlySpan<float> Input(RnnWorkspace ws) =>
        Layer == 0 ? ws.Input.AsSpan(0, Rows * InputWidth)
            : ws.Dropout is { Active: true } dropout ? dropout.Output(Layer - 1, Rows * InputWidth)
            : ws.LayerOutputs[Layer - 1].AsSpan(0, Rows * InputWidth);
}

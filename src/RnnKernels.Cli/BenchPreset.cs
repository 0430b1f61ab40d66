namespace RnnKernels.Cli;

/// <summary>A benchmark size: T steps, B sequences, I inputs, H hidden, O outputs.</summary>
internal sealed record BenchPreset(string Name, int Steps, int Batch, int Input, int Hidden, int Output, float RecurrentScale = 1f)
{
    public static readonly IReadOnlyList<BenchPreset> All =
    [
        new("charrnn", 25, 1, 65, 100, 65),
        new("small-b1", 32, 1, 64, 128, 64),
        new("mid-b16", 64, 16, 128, 256, 128),
        new("large-b64", 64, 64, 512, 512, 512),
        new("long-b8", 512, 8, 64, 256, 64),
    ];

    /// <summary>
    /// long-b8 with W_R scaled by 1e-3, zero biases and inputs scaled by 1e-38: states, pre-activations and the
    /// weight-gradient products live in the subnormal range, which costs 10-100x per operation on some CPUs. Not in
    /// "all"; compare its ms_per_step with long-b8's.
    /// </summary>
    public static readonly BenchPreset Decay = new("decay-b8", 512, 8, 64, 256, 64, RecurrentScale: 1e-3f);

    /// <summary>Floating-point operations of one training step of a cell with G gate blocks: 6 T B (G I H + G H H + H O).</summary>
    /// <param name="cell">The cell (G = 1, 4, 3).</param>
    /// <returns>The count.</returns>
    public double FlopsPerStep(CellKind cell)
    {
        double g = RnnShape.Gates(cell);
        return 6.0 * Steps * Batch * ((g * Input * Hidden) + (g * Hidden * Hidden) + ((double)Hidden * Output));
    }
}

namespace RnnKernels;

/// <summary>
/// One batch of sequences as the data file holds it: x [T, B, I], optional h0 [L*D, B, H] (and c0 for an LSTM),
/// optional lengths [B], and targets: class indices [T, B] for cross-entropy or floats [T, B, O] for squared error.
/// </summary>
/// <param name="Steps">T.</param>
/// <param name="Batch">B.</param>
/// <param name="Inputs">x [T, B, I].</param>
/// <param name="InitialState">h0 [L*D, B, H], or null for zeros.</param>
/// <param name="Lengths">Lengths [B] in 1..T, or null when all are T.</param>
/// <param name="ClassTargets">targets [T, B], or null.</param>
/// <param name="ValueTargets">y [T, B, O], or null.</param>
public sealed record SequenceData(
    int Steps, int Batch, float[] Inputs, float[]? InitialState, int[]? Lengths, int[]? ClassTargets, float[]? ValueTargets)
{
    /// <summary>c0 [L*D, B, H] of an LSTM, or null for zeros.</summary>
    public float[]? InitialCellState { get; init; }

    /// <summary>Length of entry <paramref name="b"/>.</summary>
    /// <param name="b">Batch index.</param>
    /// <returns>Its length.</returns>
    public int LengthOf(int b) => Lengths?[b] ?? Steps;

    /// <summary>
    /// A seeded random batch for tests, gradient checks and benchmarks: inputs and h0 uniform in [-1, 1] (h0 halved),
    /// uniformly random targets, and with <paramref name="raggedLengths"/> unsorted lengths that include a full-length
    /// entry and a shorter one first, so finished entries sit between running ones.
    /// </summary>
    /// <param name="shape">The model the batch is for.</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="loss">Which targets to create.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="raggedLengths">Whether entries get different lengths.</param>
    /// <param name="initialState">Whether to include a random h0 (and c0 for an LSTM).</param>
    /// <returns>The batch.</returns>
    internal static SequenceData CreateRandom(
        RnnShape shape, int steps, int batch, LossKind loss, int seed, bool raggedLengths = false, bool initialState = false)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var random = new Random(seed);
        float Next() => (float)((random.NextDouble() * 2) - 1);
        float[] x = Enumerable.Range(0, steps * batch * shape.InputSize).Select(_ => Next()).ToArray();
        float[]? h0 = initialState ? Enumerable.Range(0, shape.StateSize(batch)).Select(_ => Next() * 0.5f).ToArray() : null;
        int[]? lengths = raggedLengths
            ? Enumerable.Range(0, batch).Select(b => b == 0 ? Math.Max(1, steps - 2) : b == 1 ? steps : 1 + random.Next(steps)).ToArray()
            : null;
        int[]? classes = loss == LossKind.CrossEntropy ? Enumerable.Range(0, steps * batch).Select(_ => random.Next(shape.OutputSize)).ToArray() : null;
        float[]? y = loss == LossKind.SquaredError ? Enumerable.Range(0, steps * batch * shape.OutputSize).Select(_ => Next()).ToArray() : null;
        float[]? c0 = initialState && shape.HasCellState ? Enumerable.Range(0, shape.StateSize(batch)).Select(_ => Next()).ToArray() : null;
        return new SequenceData(steps, batch, x, h0, lengths, classes, y) { InitialCellState = c0 };
    }
}

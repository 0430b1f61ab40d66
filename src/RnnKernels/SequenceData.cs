namespace RnnKernels;

/// <summary>
/// One batch of sequences as the data file holds it: x [T, B, I], optional h0 [L*D, B, H], optional lengths [B],
/// and targets: class indices [T, B] for cross-entropy or floats [T, B, O] for squared error.
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
    /// <summary>Length of entry <paramref name="b"/>.</summary>
    /// <param name="b">Batch index.</param>
    /// <returns>Its length.</returns>
    public int LengthOf(int b) => Lengths?[b] ?? Steps;
}

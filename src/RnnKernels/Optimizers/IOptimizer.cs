namespace RnnKernels.Optimizers;

/// <summary>
/// Updates a flat parameter buffer in place from the gradient buffer of the same layout. Optimizer state is sized
/// at construction; <see cref="Step"/> allocates nothing. Not thread-safe.
/// </summary>
public interface IOptimizer
{
    /// <summary>Number of parameters this optimizer was built for.</summary>
    int Length { get; }

    /// <summary>Applies one update.</summary>
    /// <param name="parameters">Parameters, updated in place.</param>
    /// <param name="gradients">dE/dparameters, same length.</param>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>The optimizer's state buffers (momentum, accumulators) by name, for checkpointing.</summary>
    /// <returns>Name and buffer pairs; empty when the optimizer is stateless.</returns>
    IReadOnlyList<(string Name, float[] Values)> State();
}

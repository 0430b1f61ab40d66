namespace RnnKernels.Optimizers;

/// <summary>
/// Updates a flat parameter buffer in place from the gradient buffer of the same layout. Optimizer state is sized
/// at construction; <see cref="Step"/> allocates nothing.
/// </summary>
/// <remarks>
/// Single-threaded: a step that overlaps another on the same optimizer throws <see cref="InvalidOperationException"/>.
/// Everything that decides the next update (<see cref="Steps"/>, <see cref="State"/>, the hyperparameters) can be
/// read and restored, so a checkpoint resumes training exactly (see <see cref="IO.TrainingCheckpoint"/>).
/// </remarks>
public interface IOptimizer
{
    /// <summary>Number of parameters this optimizer was built for.</summary>
    int Length { get; }

    /// <summary>The algorithm's name as checkpoints store it: "sgd", "adagrad" or "adam".</summary>
    string Kind { get; }

    /// <summary>Updates applied so far.</summary>
    long Steps { get; }

    /// <summary>The learning rate of the next update; settable for schedules.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not positive and finite.</exception>
    float LearningRate { get; set; }

    /// <summary>Applies one update.</summary>
    /// <param name="parameters">Parameters, updated in place.</param>
    /// <param name="gradients">dE/dparameters, same length.</param>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Length"/>.</exception>
    /// <exception cref="InvalidOperationException">The call overlapped another call on this optimizer.</exception>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>
    /// The optimizer's state buffers (momentum, accumulators) by name, each of <see cref="Length"/> values in the
    /// parameter layout. These are the live buffers: a checkpoint loader writes into them.
    /// </summary>
    /// <returns>Name and buffer pairs; empty when the optimizer keeps no state.</returns>
    IReadOnlyList<(string Name, float[] Values)> State();

    /// <summary>The hyperparameters that, with the learning rate, define the update (momentum, betas, epsilon).</summary>
    /// <returns>Name and value pairs, in a fixed order.</returns>
    IReadOnlyList<(string Name, float Value)> Hyperparameters();

    /// <summary>Sets <see cref="Steps"/>, for a checkpoint whose state buffers have been written back.</summary>
    /// <param name="steps">Updates applied before the checkpoint, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    void RestoreSteps(long steps);
}

namespace RnnKernels.Kernels;

/// <summary>One parallel region's work for <see cref="WorkerPool.Run"/>: part p of parts, each writing only its own outputs.</summary>
/// <remarks>
/// For results that do not depend on timing, each part must do a fixed share of the work: which outputs part p
/// writes, and in what order, must depend on p and parts only.
/// </remarks>
public interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    /// <param name="part">This part, 0..parts-1 (parts are claimed by the calling thread and the workers, in any order).</param>
    /// <param name="parts">How many parts the region has.</param>
    void Execute(int part, int parts);

    /// <summary>
    /// The size of part <paramref name="part"/> relative to the others (its rows, say): the pool compares the threads'
    /// time per unit of it to notice a thread that the operating system keeps descheduling. Parts are equal unless a
    /// work says otherwise.
    /// </summary>
    /// <param name="part">The part, 0..parts-1.</param>
    /// <param name="parts">How many parts the region has.</param>
    /// <returns>A positive size.</returns>
    long Weight(int part, int parts) => 1;
}

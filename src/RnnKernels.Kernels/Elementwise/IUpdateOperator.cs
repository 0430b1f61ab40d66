namespace RnnKernels.Kernels;

/// <summary>
/// An in-place update of parameters p from gradients g with up to two state values per element (an optimizer's step),
/// written once over the lane vectors; <see cref="ElementwiseDriver.Update{TOp}"/> owns the loops and the tail. An
/// instance carries the step's scalars (learning rate, decay rates).
/// </summary>
internal interface IUpdateOperator
{
    /// <summary>How many of the two state spans the update reads and writes (0, 1 or 2).</summary>
    static abstract int States { get; }

    /// <summary>Updates one vector of p, and of the states it has, from g.</summary>
    void Invoke<V>(ref V p, V g, ref V s0, ref V s1)
        where V : struct, ILaneVector<V>;
}

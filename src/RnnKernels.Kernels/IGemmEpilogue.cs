namespace RnnKernels.Kernels;

/// <summary>
/// Work fused onto a GEMM's output: called once for each disjoint block of C as soon as that block is final, on the
/// thread that computed it, so elementwise work on C (an activation, a bias, the next step's gradient) runs in the same
/// parallel region, in parallel, while the block is still in that core's cache. Like oneDNN's post-ops or CUTLASS's
/// epilogues, but with the operation supplied by the caller.
/// </summary>
/// <remarks>
/// The blocks cover C exactly once. Their shape depends on the degree of parallelism (strips of rows or of columns),
/// so for results that do not depend on the thread count the work must be elementwise: each element of C computed
/// from that element alone (and from other arrays at the same position). Blocks may run concurrently; an
/// implementation must not use the pool that runs the GEMM.
/// </remarks>
public interface IGemmEpilogue
{
    /// <summary>Processes C[rowStart..rowStart+rowCount, columnStart..columnStart+columnCount], which is final.</summary>
    /// <param name="rowStart">First row of the block.</param>
    /// <param name="rowCount">Rows in the block (at least 1).</param>
    /// <param name="columnStart">First column of the block.</param>
    /// <param name="columnCount">Columns in the block (at least 1).</param>
    void Apply(int rowStart, int rowCount, int columnStart, int columnCount);
}

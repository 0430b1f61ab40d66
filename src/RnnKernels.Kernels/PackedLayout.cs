namespace RnnKernels.Kernels;

/// <summary>How a <see cref="PackedMatrix"/> lays out op(B): for products of any row count, or for one-row products.</summary>
/// <remarks>
/// As MKL's <c>cblas_sgemm_pack_get_size</c> takes m, the best layout depends on how many rows the products have.
/// The GEMM micro-kernel reads panels NR columns wide; a row vector times op(B) (an RNN step at batch 1) is bound by
/// reading op(B) once from L2, and reads fastest a layout it streams in order with every load aligned.
/// </remarks>
public enum PackedLayout
{
    /// <summary>The micro-kernel's panels, for products of any row count.</summary>
    Panels,

    /// <summary>
    /// For one-row products only (m = 1): op(B) row after row in column groups, one per pass of the matrix-vector
    /// kernel, each group k rows of whole vectors on aligned addresses. A product with more rows throws.
    /// </summary>
    OneRow,
}

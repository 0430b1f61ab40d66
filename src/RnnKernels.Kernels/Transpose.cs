namespace RnnKernels.Kernels;

/// <summary>Whether a GEMM operand is used as stored or transposed (BLAS <c>trans</c> argument).</summary>
public enum Transpose
{
    /// <summary>Use the matrix as stored: op(X) = X.</summary>
    No,

    /// <summary>Use the transpose of the stored matrix: op(X) = X^T.</summary>
    Yes,
}

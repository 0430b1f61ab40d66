using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// h_t = f(a_t), fused onto the step GEMM a_t += h_{t-1} W_R^T: each thread activates the block of a_t it has just
/// computed, so the activation runs in parallel and in cache instead of as a serial pass after the product.
/// </summary>
/// <remarks>Elementwise, so the result is the same for any split of the product. One per workspace, retargeted per step.</remarks>
internal sealed class StepActivation(Nonlinearity nonlinearity) : IGemmEpilogue
{
    private float[] _values = [];
    private int _offset, _ld;

    /// <summary>Points the epilogue at the step's C: element (r, c) is values[offset + r*ld + c].</summary>
    public StepActivation Target(float[] values, int offset, int ld)
    {
        (_values, _offset, _ld) = (values, offset, ld);
        return this;
    }

    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        for (int r = rowStart; r < rowStart + rowCount; r++)
        {
            Span<float> block = _values.AsSpan(_offset + (r * _ld) + columnStart, columnCount);
            Activation.Forward(nonlinearity, block, block);
        }
    }
}

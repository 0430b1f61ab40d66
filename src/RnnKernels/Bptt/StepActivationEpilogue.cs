using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// h_t = f(a_t), fused onto the step GEMM a_t += h_{t-1} W_R^T: each thread activates the block of a_t it has just
/// computed, so the activation runs in parallel and in cache instead of as a serial pass after the product.
/// </summary>
/// <remarks>Elementwise, so the result is the same for any split of the product. One per workspace, retargeted per step.</remarks>
internal sealed class StepActivationEpilogue(ElmanCell cell) : IGemmEpilogue
{
    private Memory2D<float> _values;

    /// <summary>Points the epilogue at the step's C [B, H] (this direction's columns of the layer output).</summary>
    public StepActivationEpilogue Target(Memory2D<float> values)
    {
        _values = values;
        return this;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        Span2D<float> block = _values.Span.Slice(rowStart, columnStart, rowCount, columnCount);
        for (int r = 0; r < rowCount; r++)
        {
            Span<float> row = block.GetRowSpan(r);
            cell.Forward(row, row);
        }
    }
}

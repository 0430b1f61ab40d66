using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// C[r, c] += bias[c] on each finished block of a product (a layer's input projection, or the output layer), so the
/// bias is added in parallel by the threads that computed the blocks instead of broadcast serially beforehand.
/// </summary>
/// <remarks>Elementwise, so the result is the same for any split. One per workspace, retargeted per product.</remarks>
internal sealed class BiasEpilogue : IGemmEpilogue
{
    private Memory2D<float> _c;
    private ReadOnlyMemory<float> _bias;

    /// <summary>Points the epilogue at C [rows, columns] (a view with its row pitch) and the bias [columns].</summary>
    public BiasEpilogue Target(Memory2D<float> c, ReadOnlyMemory<float> bias)
    {
        (_c, _bias) = (c, bias);
        return this;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        Span2D<float> block = _c.Span.Slice(rowStart, columnStart, rowCount, columnCount);
        ReadOnlySpan<float> bias = _bias.Span.Slice(columnStart, columnCount);
        for (int r = 0; r < rowCount; r++)
        {
            Span<float> row = block.GetRowSpan(r);
            Elementwise.Add(row, bias, row);
        }
    }
}

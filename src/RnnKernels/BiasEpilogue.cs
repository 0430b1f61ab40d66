using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// C[r, c] += bias[c] on each finished block of a product (a layer's input projection, or the output layer), so the
/// bias is added in parallel by the threads that computed the blocks instead of broadcast serially beforehand.
/// </summary>
/// <remarks>Elementwise, so the result is the same for any split. One per workspace, retargeted per product.</remarks>
internal sealed class BiasEpilogue : IGemmEpilogue
{
    private float[] _c = [], _bias = [];
    private int _offset, _ld, _biasOffset;

    /// <summary>Element (r, c) of C is c[offset + r*ld + c]; the bias starts at bias[biasOffset].</summary>
    public BiasEpilogue Target(float[] c, int offset, int ld, float[] bias, int biasOffset)
    {
        (_c, _offset, _ld, _bias, _biasOffset) = (c, offset, ld, bias, biasOffset);
        return this;
    }

    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        ReadOnlySpan<float> bias = _bias.AsSpan(_biasOffset + columnStart, columnCount);
        for (int r = rowStart; r < rowStart + rowCount; r++)
        {
            Span<float> row = _c.AsSpan(_offset + (r * _ld) + columnStart, columnCount);
            Elementwise.Add(row, bias, row);
        }
    }
}

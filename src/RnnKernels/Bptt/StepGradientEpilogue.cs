using System.Runtime.CompilerServices;
using CommunityToolkit.HighPerformance;
using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>
/// dA_next = (dH_next + C) * f'(h_next), fused onto the backward step GEMM C = dA_t W_R that produces the gradient
/// carried into the step processed next: each thread finishes the next step's pre-activation gradient on the block of
/// C it has just computed, instead of a serial pass before the next product.
/// </summary>
/// <remarks>
/// Elementwise, with the same two operations in the same order as the unfused path, so the bits do not depend on the
/// split. Used when both steps have every entry running and the layer is unidirectional (rows of width H throughout).
/// </remarks>
internal sealed class StepGradientEpilogue(ElmanCell cell) : IGemmEpilogue
{
    private Memory2D<float> _carried, _outputGradient, _output, _preActivationGradient;

    /// <summary>Points the epilogue at the next step: C is the carried gradient, the others its dH, h and dA, all [B, H].</summary>
    public StepGradientEpilogue Target(Memory2D<float> carried, Memory2D<float> outputGradient, Memory2D<float> output, Memory2D<float> preActivationGradient)
    {
        (_carried, _outputGradient, _output, _preActivationGradient) = (carried, outputGradient, output, preActivationGradient);
        return this;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        Span2D<float> carried = _carried.Span.Slice(rowStart, columnStart, rowCount, columnCount);
        Span2D<float> dH = _outputGradient.Span.Slice(rowStart, columnStart, rowCount, columnCount);
        Span2D<float> h = _output.Span.Slice(rowStart, columnStart, rowCount, columnCount);
        Span2D<float> dA = _preActivationGradient.Span.Slice(rowStart, columnStart, rowCount, columnCount);
        for (int r = 0; r < rowCount; r++)
        {
            Span<float> row = dA.GetRowSpan(r);
            Elementwise.Add(dH.GetRowSpan(r), carried.GetRowSpan(r), row);
            cell.Backward(h.GetRowSpan(r), row);
        }
    }
}

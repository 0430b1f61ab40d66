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
internal sealed class StepGradient(Nonlinearity nonlinearity) : IGemmEpilogue
{
    private float[] _carried = [], _outputGradient = [], _output = [], _preActivationGradient = [];
    private int _stepOffset, _width;

    /// <summary>Points the epilogue at the next step: its rows start at stepOffset in dH, h and dA; C is carried.</summary>
    public StepGradient Target(float[] carried, float[] outputGradient, float[] output, float[] preActivationGradient, int stepOffset, int width)
    {
        (_carried, _outputGradient, _output, _preActivationGradient) = (carried, outputGradient, output, preActivationGradient);
        (_stepOffset, _width) = (stepOffset, width);
        return this;
    }

    public void Apply(int rowStart, int rowCount, int columnStart, int columnCount)
    {
        for (int r = rowStart; r < rowStart + rowCount; r++)
        {
            int inStep = (r * _width) + columnStart, at = _stepOffset + inStep;
            Span<float> dA = _preActivationGradient.AsSpan(at, columnCount);
            Elementwise.Add(_outputGradient.AsSpan(at, columnCount), _carried.AsSpan(inStep, columnCount), dA);
            Activation.Backward(nonlinearity, _output.AsSpan(at, columnCount), dA);
        }
    }
}

using RnnKernels.Kernels;

namespace RnnKernels;

/// <summary>Where a gated cell's two bias vectors go, for the training passes and inference alike.</summary>
internal static class GatedBias
{
    /// <summary>
    /// The bias the input projection of all steps carries: b_ih + b_hh, or b_ih alone when the cell puts b_hh onto each
    /// step's recurrent product (<see cref="IGatedCell.BiasOnStepProduct"/>).
    /// </summary>
    public static void ForProjection<TCell>(ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh, Span<float> target)
        where TCell : struct, IGatedCell
    {
        if (TCell.BiasOnStepProduct)
        {
            biasIh.CopyTo(target);
        }
        else
        {
            Elementwise.Add(biasIh, biasHh, target);
        }
    }
}

using System.Runtime.CompilerServices;
namespace RnnKernels;

/// <summary>Squared error summed over steps, batch and outputs: E = sum (o - y)^2, dE/do = 2 (o - y).</summary>
internal static class SquaredError
{
    /// <summary>Loss and gradient for rows [T*B] of width O; rows of steps past an entry's length add nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Compute(
        ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int steps, int batch, int width, ReadOnlySpan<int> lengths, Span<float> gradient)
    {
        double loss = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = ((t * batch) + b) * width;
                Span<float> g = gradient.Slice(row, width);
                if (t >= lengths[b])
                {
                    g.Clear();
                    continue;
                }

                for (int j = 0; j < width; j++)
                {
                    float diff = outputs[row + j] - targets[row + j];
                    loss += (double)diff * diff;
                    g[j] = 2f * diff;
                }
            }
        }

        return loss;
    }
}

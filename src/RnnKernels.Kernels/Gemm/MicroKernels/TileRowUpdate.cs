using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// The update of C by one row of a micro-kernel tile, written once for every vector width: each vector kernel hands
/// its row of accumulators over as <see cref="Lanes16"/>, <see cref="Lanes8"/> or <see cref="Lanes4"/> values.
/// </summary>
internal static unsafe class TileRowUpdate
{
    /// <summary>
    /// Row c from the sums of its TCols.Value column vectors (<paramref name="s0"/>, then <paramref name="s1"/>):
    /// alpha * s (<paramref name="overwrite"/>, beta = 0, which must not read C: it may hold NaN from a pooled buffer),
    /// C + s (<paramref name="plainSum"/>, alpha = beta = 1, a sum of products as weight gradients are: the same bits as
    /// the general update), or beta * C + alpha * s, fused where the tier has FMA.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<V, TCols>(float* c, V s0, V s1, V alpha, V beta, bool overwrite, bool plainSum)
        where V : struct, ILaneVector<V>
        where TCols : struct, ICount
    {
        // One test of the case per row, not per vector.
        float* c1 = c + V.Count;
        if (overwrite)
        {
            V.Store(s0 * alpha, c);
            if (TCols.Value > 1)
            {
                V.Store(s1 * alpha, c1);
            }
        }
        else if (plainSum)
        {
            V.Store(V.Load(c) + s0, c);
            if (TCols.Value > 1)
            {
                V.Store(V.Load(c1) + s1, c1);
            }
        }
        else
        {
            V.Store(V.MultiplyAdd(beta, V.Load(c), s0 * alpha), c);
            if (TCols.Value > 1)
            {
                V.Store(V.MultiplyAdd(beta, V.Load(c1), s1 * alpha), c1);
            }
        }
    }
}

using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// The update of C by one row of a micro-kernel tile, written once for every vector width: each vector kernel hands
/// its row of accumulators over as <see cref="Lanes16"/>, <see cref="Lanes8"/> or <see cref="Lanes4"/> values.
/// </summary>
internal static unsafe class TileRowUpdate
{
    /// <summary>
    /// Row c from the sums of its TCols.Value column vectors (<paramref name="s0"/>, then <paramref name="s1"/>), as
    /// TUpdate writes them (<see cref="ITileUpdate"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<V, TCols, TUpdate>(float* c, V s0, V s1, V alpha, V beta)
        where V : struct, ILaneVector<V>
        where TCols : struct, ICount
        where TUpdate : struct, ITileUpdate
    {
        V.Store(TUpdate.Apply(c, s0, alpha, beta), c);
        if (TCols.Value > 1)
        {
            float* c1 = c + V.Count;
            V.Store(TUpdate.Apply(c1, s1, alpha, beta), c1);
        }
    }
}

using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>
/// How a micro-kernel writes a finished tile into C, fixed when the JIT compiles the kernel's instance (as
/// <see cref="ICount"/> fixes its shape), so every row is written by straight-line code. The case is chosen once per
/// tile (<see cref="TileUpdateDispatch"/>): chosen row by row, the kernels compiled optimised on first call carried
/// the other cases inline and jumped twice per row on C += sum, the case of every k block after the first, and of
/// summed weight gradients, and large products ran measurably slower (docs/design-notes.md).
/// </summary>
internal unsafe interface ITileUpdate
{
    /// <summary>
    /// The value to store over the <c>V.Count</c> values of C at <paramref name="c"/> from the tile's sums
    /// <paramref name="s"/>.
    /// </summary>
    static abstract V Apply<V>(float* c, V s, V alpha, V beta)
        where V : struct, ILaneVector<V>;
}

/// <summary>beta = 0: alpha * s, without reading C (it may hold NaN from a pooled buffer).</summary>
internal readonly unsafe struct OverwriteC : ITileUpdate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Apply<V>(float* c, V s, V alpha, V beta)
        where V : struct, ILaneVector<V> => s * alpha;
}

/// <summary>
/// alpha = beta = 1: C + s, the same bits as the general update (a k block after the first, a summed gradient).
/// </summary>
internal readonly unsafe struct AddToC : ITileUpdate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Apply<V>(float* c, V s, V alpha, V beta)
        where V : struct, ILaneVector<V> => V.Load(c) + s;
}

/// <summary>Any other alpha and beta: beta * C + alpha * s, fused where the tier has FMA.</summary>
internal readonly unsafe struct ScaleC : ITileUpdate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Apply<V>(float* c, V s, V alpha, V beta)
        where V : struct, ILaneVector<V> => V.MultiplyAdd(beta, V.Load(c), s * alpha);
}

using System.Runtime.CompilerServices;

namespace RnnKernels.Kernels;

/// <summary>Work written once over a lane width (its generic <c>Run</c>); <see cref="LaneDispatch"/> runs it at a tier's width.</summary>
/// <remarks>
/// Implementations forward to a method generic over the width and mark <c>Run</c> <c>AggressiveInlining</c>, so the
/// dispatch compiles to the switch it replaces. The method they forward to stays a call of its own unless it is meant
/// to be inlined: each width is then compiled on its own inlining budget, as with every width's loop inlined into one
/// method the 512-bit one (emulated in software pieces where AVX-512 is disabled) used the budget up and the narrower
/// loops called their arithmetic out of line.
/// </remarks>
internal interface ILaneWork
{
    void Run<V>()
        where V : struct, ILaneVector<V>;
}

/// <summary>An <see cref="ILaneWork"/> with a result.</summary>
/// <typeparam name="TResult">What the work returns.</typeparam>
internal interface ILaneWork<TResult>
{
    TResult Run<V>()
        where V : struct, ILaneVector<V>;
}

/// <summary>
/// The one place a tier becomes a lane width: <see cref="Lanes16"/> for AVX-512, <see cref="Lanes8"/> for AVX2+FMA,
/// <see cref="Lanes4"/> for NEON and portable 128-bit vectors, <see cref="Lanes1"/> (the scalar reference) otherwise.
/// </summary>
internal static class LaneDispatch
{
    /// <summary>Runs <paramref name="work"/> at the lane width of <paramref name="tier"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TWork>(IsaTier tier, TWork work)
        where TWork : struct, ILaneWork, allows ref struct
    {
        switch (tier)
        {
            case IsaTier.Avx512:
                work.Run<Lanes16>();
                break;
            case IsaTier.Avx2Fma:
                work.Run<Lanes8>();
                break;
            case IsaTier.Vector128 or IsaTier.Neon:
                work.Run<Lanes4>();
                break;
            default:
                work.Run<Lanes1>();
                break;
        }
    }

    /// <summary>Runs <paramref name="work"/> at the lane width of <paramref name="tier"/> and returns its result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TResult Run<TWork, TResult>(IsaTier tier, TWork work)
        where TWork : struct, ILaneWork<TResult>, allows ref struct =>
        tier switch
        {
            IsaTier.Avx512 => work.Run<Lanes16>(),
            IsaTier.Avx2Fma => work.Run<Lanes8>(),
            IsaTier.Vector128 or IsaTier.Neon => work.Run<Lanes4>(),
            _ => work.Run<Lanes1>(),
        };

    /// <summary>Float lanes of <paramref name="tier"/>'s vectors (1 for the scalar tier).</summary>
    public static int Width(IsaTier tier) => Run<WidthWork, int>(tier, default);

    private readonly struct WidthWork : ILaneWork<int>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Run<V>()
            where V : struct, ILaneVector<V> => V.Count;
    }
}

namespace RnnKernels.Kernels;

/// <summary>The register tile and k-block depth of each tier's micro-kernel, for code that is not generic over it.</summary>
internal static class GemmGeometry
{
    /// <summary>Widest NR of any micro-kernel: a buffer sized with it holds op(B) packed for any tier.</summary>
    public const int MaxNR = 32;

    /// <summary>
    /// Columns of an untransposed B packed together just before their row tiles when B is not read in place (a row
    /// stride that is a multiple of 4 KiB, <see cref="GemmDriver{TKernel}"/>): a whole number of panels on every tier,
    /// and at KC = 256 a 256 KiB group that stays in L2.
    /// </summary>
    public const int PanelGroupColumns = 256;

    /// <summary>Rows and columns of the tier's register tile.</summary>
    public static (int MR, int NR) Tile(IsaTier tier) => tier switch
    {
        IsaTier.Avx512 => (GemmKernelAvx512.MR, GemmKernelAvx512.NR),
        IsaTier.Avx2Fma => (GemmKernelAvx2.MR, GemmKernelAvx2.NR),
        IsaTier.Neon => (GemmKernelNeon.MR, GemmKernelNeon.NR),
        IsaTier.Vector128 => (GemmKernelVector128.MR, GemmKernelVector128.NR),
        _ => (GemmKernelScalar.MR, GemmKernelScalar.NR),
    };

    /// <summary>Whether the tier's kernel runs a tile of any row count with the whole tile's code per row (<see cref="IGemmMicroKernel.RunsEveryRowCount"/>).</summary>
    public static bool RunsEveryRowCount(IsaTier tier) => tier switch
    {
        IsaTier.Avx512 => Runs<GemmKernelAvx512>(),
        IsaTier.Avx2Fma => Runs<GemmKernelAvx2>(),
        IsaTier.Neon => Runs<GemmKernelNeon>(),
        IsaTier.Vector128 => Runs<GemmKernelVector128>(),
        _ => Runs<GemmKernelScalar>(),
    };

    private static bool Runs<TKernel>()
        where TKernel : struct, IGemmMicroKernel => TKernel.RunsEveryRowCount;

    /// <summary>Depth of one packed k block on the tier.</summary>
    public static int KC(IsaTier tier) => tier switch
    {
        IsaTier.Avx512 => GemmKernelAvx512.KC,
        IsaTier.Avx2Fma => GemmKernelAvx2.KC,
        IsaTier.Neon => GemmKernelNeon.KC,
        IsaTier.Vector128 => GemmKernelVector128.KC,
        _ => GemmKernelScalar.KC,
    };
}

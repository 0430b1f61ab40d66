namespace RnnKernels.Kernels;

/// <summary>The register tile and k-block depth of each path's micro-kernel, for code that is not generic over it.</summary>
internal static class GemmGeometry
{
    /// <summary>Widest NR of any micro-kernel: a buffer sized with it holds op(B) packed for any path.</summary>
    public const int MaxNR = 32;

    /// <summary>Rows and columns of the path's register tile.</summary>
    public static (int MR, int NR) Tile(IsaPath path) => path switch
    {
        IsaPath.Avx512 => (GemmKernelAvx512.MR, GemmKernelAvx512.NR),
        IsaPath.Avx2Fma => (GemmKernelAvx2.MR, GemmKernelAvx2.NR),
        IsaPath.Neon => (GemmKernelNeon.MR, GemmKernelNeon.NR),
        IsaPath.Vector128 => (GemmKernelVector128.MR, GemmKernelVector128.NR),
        _ => (GemmKernelScalar.MR, GemmKernelScalar.NR),
    };

    /// <summary>Depth of one packed k block on the path.</summary>
    public static int KC(IsaPath path) => path switch
    {
        IsaPath.Avx512 => GemmKernelAvx512.KC,
        IsaPath.Avx2Fma => GemmKernelAvx2.KC,
        IsaPath.Neon => GemmKernelNeon.KC,
        IsaPath.Vector128 => GemmKernelVector128.KC,
        _ => GemmKernelScalar.KC,
    };

    /// <summary>Float lanes of the path's vectors, the unit of the M = 1 product's column blocks (<see cref="Gemv"/>).</summary>
    public static int Lanes(IsaPath path) => path switch
    {
        IsaPath.Avx512 => Lanes16.Count,
        IsaPath.Avx2Fma => Lanes8.Count,
        IsaPath.Neon or IsaPath.Vector128 => Lanes4.Count,
        _ => Lanes1.Count,
    };
}

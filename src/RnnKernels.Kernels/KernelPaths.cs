using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>Which instruction-set paths this process can run, widest first.</summary>
/// <remarks>
/// The checks are JIT-time constants, so dispatching on <see cref="Best"/> costs nothing in a hot loop.
/// <c>DOTNET_EnableAVX512=0</c> selects <see cref="IsaPath.Avx2Fma"/> on an AVX-512 machine,
/// <c>DOTNET_EnableAVX2=0</c> selects <see cref="IsaPath.Vector128"/> on x64, <c>DOTNET_EnableHWIntrinsic=0</c> selects
/// <see cref="IsaPath.Scalar"/>.
/// </remarks>
public static class KernelPaths
{
    /// <summary>The widest path this process supports; every public kernel entry point uses it.</summary>
    public static IsaPath Best
    {
        get
        {
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                return Avx512F.IsSupported ? IsaPath.Avx512 : IsaPath.Avx2Fma;
            }

            if (AdvSimd.Arm64.IsSupported)
            {
                return IsaPath.Neon;
            }

            return Vector128.IsHardwareAccelerated ? IsaPath.Vector128 : IsaPath.Scalar;
        }
    }

    /// <summary>Every path this process can run, the scalar reference first; tests and benchmarks iterate over it.</summary>
    public static IReadOnlyList<IsaPath> Supported { get; } = CreateSupported();

    /// <summary>True when <paramref name="path"/> can run in this process.</summary>
    public static bool IsSupported(IsaPath path) => path switch
    {
        IsaPath.Scalar => true,
        IsaPath.Vector128 => Vector128.IsHardwareAccelerated,
        IsaPath.Avx2Fma => Avx2.IsSupported && Fma.IsSupported,
        IsaPath.Neon => AdvSimd.Arm64.IsSupported,
        IsaPath.Avx512 => Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported,
        _ => false,
    };

    private static IsaPath[] CreateSupported() =>
        [.. Enum.GetValues<IsaPath>().Where(IsSupported)];
}

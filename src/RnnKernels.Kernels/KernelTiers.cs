using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>Which instruction-set tiers this process can run, widest first.</summary>
/// <remarks>
/// The checks are JIT-time constants, so dispatching on <see cref="Best"/> costs nothing in a hot loop.
/// <c>DOTNET_EnableAVX512=0</c> selects <see cref="IsaTier.Avx2Fma"/> on an AVX-512 machine,
/// <c>DOTNET_EnableAVX2=0</c> selects <see cref="IsaTier.Vector128"/> on x64, <c>DOTNET_EnableHWIntrinsic=0</c> selects
/// <see cref="IsaTier.Scalar"/>.
/// </remarks>
public static class KernelTiers
{
    /// <summary>The widest tier this process supports; every public kernel entry point uses it.</summary>
    public static IsaTier Best
    {
        get
        {
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                return Avx512F.IsSupported ? IsaTier.Avx512 : IsaTier.Avx2Fma;
            }

            if (AdvSimd.Arm64.IsSupported)
            {
                return IsaTier.Neon;
            }

            return Vector128.IsHardwareAccelerated ? IsaTier.Vector128 : IsaTier.Scalar;
        }
    }

    /// <summary>Every tier this process can run, the scalar reference first; tests and benchmarks iterate over it.</summary>
    public static IReadOnlyList<IsaTier> Supported { get; } = CreateSupported();

    /// <summary>True when <paramref name="tier"/> can run in this process.</summary>
    public static bool IsSupported(IsaTier tier) => tier switch
    {
        IsaTier.Scalar => true,
        IsaTier.Vector128 => Vector128.IsHardwareAccelerated,
        IsaTier.Avx2Fma => Avx2.IsSupported && Fma.IsSupported,
        IsaTier.Neon => AdvSimd.Arm64.IsSupported,
        IsaTier.Avx512 => Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported,
        _ => false,
    };

    private static IsaTier[] CreateSupported() =>
        [.. Enum.GetValues<IsaTier>().Where(IsSupported)];
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>Fused multiply-add shims shared by the vector operators.</summary>
/// <remarks>
/// Where the hardware has FMA the result is rounded once; on SSE-only x64 (and with intrinsics disabled) it is
/// <c>a * b + c</c>, rounded twice. The two give different last bits, so cross-tier tests compare with a tolerance.
/// </remarks>
internal static class Simd
{
    /// <summary>a * b + c, fused (AVX-512F always has FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>a * b + c, fused where the ISA allows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>a * b + c, fused where the ISA allows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (Fma.IsSupported)
        {
            return Fma.MultiplyAdd(a, b, c);
        }

        if (AdvSimd.IsSupported)
        {
            return AdvSimd.FusedMultiplyAdd(c, a, b);
        }

        return (a * b) + c;
    }

    /// <summary>min(limit, x) lane by lane, giving x where x is NaN, in one instruction where the ISA allows.</summary>
    /// <remarks>
    /// x86 MINPS returns its second operand when either is NaN, so the operand order here is the point; ARM FMIN
    /// returns NaN for a NaN in either operand. Vector*.Min (IEEE minimum) is the portable fallback.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MinKeepNaN(Vector512<float> limit, Vector512<float> x) =>
        Avx512F.IsSupported ? Avx512F.Min(limit, x) : Vector512.Min(limit, x);

    /// <inheritdoc cref="MinKeepNaN(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MinKeepNaN(Vector256<float> limit, Vector256<float> x) =>
        Avx.IsSupported ? Avx.Min(limit, x) : Vector256.Min(limit, x);

    /// <inheritdoc cref="MinKeepNaN(Vector512{float}, Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MinKeepNaN(Vector128<float> limit, Vector128<float> x)
    {
        if (Sse.IsSupported)
        {
            return Sse.Min(limit, x);
        }

        return AdvSimd.IsSupported ? AdvSimd.Min(limit, x) : Vector128.Min(limit, x);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>Fused multiply-add shims and the rounding shared by the vector operators.</summary>
/// <remarks>
/// Where the hardware has FMA the result is rounded once; on SSE-only x64 (and with intrinsics disabled) it is
/// <c>a * b + c</c>, rounded twice. The two give different last bits, so cross-tier tests compare with a tolerance.
/// </remarks>
internal static class Simd
{
    // 1.5 * 2^23 + 127: added to a t with |t| < 2^22, the sum's unit in the last place is 1, so the addition rounds t
    // to the nearest integer (ties to even, as Round), and the low mantissa bits hold round(t) + 127: the biased
    // exponent of 2^round(t).
    private const float RoundingShifter = 12583039f;

    /// <summary>
    /// round(t) (to nearest, ties to even) and 2^round(t), for t whose rounding lies in [-126, 127]: one add, one
    /// subtract and one shift, where Round, the saturating ConvertToInt32 (five instructions on AVX2: it fixes up NaN
    /// and overflow, which cannot occur here) and an integer add took seven or more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> RoundWithScale(Vector512<float> t, out Vector512<float> scale)
    {
        Vector512<float> shifted = t + Vector512.Create(RoundingShifter);
        scale = (shifted.AsInt32() << 23).AsSingle();
        return shifted - Vector512.Create(RoundingShifter);
    }

    /// <inheritdoc cref="RoundWithScale(Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundWithScale(Vector256<float> t, out Vector256<float> scale)
    {
        Vector256<float> shifted = t + Vector256.Create(RoundingShifter);
        scale = (shifted.AsInt32() << 23).AsSingle();
        return shifted - Vector256.Create(RoundingShifter);
    }

    /// <inheritdoc cref="RoundWithScale(Vector512{float}, out Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> RoundWithScale(Vector128<float> t, out Vector128<float> scale)
    {
        Vector128<float> shifted = t + Vector128.Create(RoundingShifter);
        scale = (shifted.AsInt32() << 23).AsSingle();
        return shifted - Vector128.Create(RoundingShifter);
    }

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

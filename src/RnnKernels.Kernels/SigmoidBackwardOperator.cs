using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>dx = dy * y * (1 - y) from the sigmoid output y (the cached activation, not the pre-activation).</summary>
/// <remarks>y - y^2 is formed with one fused rounding where FMA exists.</remarks>
internal readonly struct SigmoidBackwardOperator : IBinaryOperator
{
    public static float Invoke(float y, float dy) => dy * MathF.FusedMultiplyAdd(-y, y, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * Simd.MultiplyAdd(-y, y, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * Simd.MultiplyAdd(-y, y, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * Simd.MultiplyAdd(-y, y, y);
}

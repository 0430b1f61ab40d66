using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>dx = dy * (1 - y^2) from the tanh output y (the cached activation, not the pre-activation).</summary>
/// <remarks>1 - y^2 is formed with one fused rounding where FMA exists.</remarks>
internal readonly struct TanhBackwardOperator : IBinaryOperator
{
    public static float Invoke(float y, float dy) => dy * MathF.FusedMultiplyAdd(-y, y, 1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) =>
        dy * Simd.MultiplyAdd(-y, y, Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) =>
        dy * Simd.MultiplyAdd(-y, y, Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) =>
        dy * Simd.MultiplyAdd(-y, y, Vector128<float>.One);
}

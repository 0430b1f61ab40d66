using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>dx = dy * y * (1 - y) from the sigmoid output y (the cached activation, not the pre-activation).</summary>
/// <remarks>
/// Formed as y (1 - y), never y - y^2: near y = 1 the subtraction y - y^2 cancels, which a tier without FMA (two
/// roundings) turns into errors of several parts per million, while 1 - y is exact for y &gt;= 1/2 (Sterbenz) and
/// the products round once each, on every tier alike.
/// </remarks>
internal readonly struct SigmoidBackwardOperator : IBinaryOperator
{
    public static float Invoke(float y, float dy) => dy * (y * (1f - y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (y * (Vector256<float>.One - y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (y * (Vector512<float>.One - y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * (y * (Vector128<float>.One - y));
}

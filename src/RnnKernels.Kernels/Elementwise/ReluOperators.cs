using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>relu(x) = x &gt; 0 ? x : +0, with NaN passed through (as PyTorch does).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public static float Invoke(float x) => x <= 0f ? 0f : x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.Zero, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.Zero, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x) =>
        Vector128.ConditionalSelect(Vector128.LessThanOrEqual(x, Vector128<float>.Zero), Vector128<float>.Zero, x);
}

/// <summary>dx = y &gt; 0 ? dy : 0 from the relu output y.</summary>
internal readonly struct ReluBackwardOperator : IBinaryOperator
{
    public static float Invoke(float y, float dy) => y > 0f ? dy : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<float>.Zero), dy, Vector128<float>.Zero);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>z = x * y, elementwise (gate products of the LSTM and GRU cells).</summary>
internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}

/// <summary>z = x - y, elementwise.</summary>
internal readonly struct SubtractOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
}

/// <summary>x + y.</summary>
internal readonly struct AddOperator : IBinaryOperator
{
    public static float Invoke(float x, float y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

/// <summary>x * s.</summary>
internal readonly struct ScaleOperator : ISpanScalarOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Invoke<V>(V x, V s)
        where V : struct, ILaneVector<V> => x * s;
}

/// <summary>x + s.</summary>
internal readonly struct AddScalarOperator : ISpanScalarOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Invoke<V>(V x, V s)
        where V : struct, ILaneVector<V> => x + s;
}

/// <summary>s * x + y, fused where the tier has FMA (the scalar tier rounds twice): the axpy of BLAS.</summary>
internal readonly struct AxpyOperator : ISpanSpanScalarOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Invoke<V>(V x, V y, V s)
        where V : struct, ILaneVector<V> => V.MultiplyAdd(s, x, y);
}


using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>An elementwise map y = f(x) in scalar and vector forms; <see cref="ElementwiseDriver"/> owns the loops.</summary>
internal interface IUnaryOperator
{
    /// <summary>The scalar reference (used on the scalar tier).</summary>
    static abstract float Invoke(float x);

    /// <summary>Four lanes.</summary>
    static abstract Vector128<float> Invoke(Vector128<float> x);

    /// <summary>Eight lanes.</summary>
    static abstract Vector256<float> Invoke(Vector256<float> x);

    /// <summary>Sixteen lanes.</summary>
    static abstract Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An elementwise map z = f(x, y) in scalar and vector forms.</summary>
internal interface IBinaryOperator
{
    /// <summary>The scalar reference (used on the scalar tier).</summary>
    static abstract float Invoke(float x, float y);

    /// <summary>Four lanes.</summary>
    static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);

    /// <summary>Eight lanes.</summary>
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    /// <summary>Sixteen lanes.</summary>
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>
/// An elementwise map with a scalar operand, y = f(x, s), written once over the lane vectors (the scalar is broadcast
/// to every lane); <see cref="ElementwiseDriver.SpanScalar{TOp}"/> owns the loops.
/// </summary>
internal interface ISpanScalarOperator
{
    /// <summary>f on one vector (or one lane).</summary>
    static abstract V Invoke<V>(V x, V s)
        where V : struct, ILaneVector<V>;
}

/// <summary>
/// An elementwise map of two spans and a scalar, z = f(x, y, s), written once over the lane vectors;
/// <see cref="ElementwiseDriver.SpanSpanScalar{TOp}"/> owns the loops.
/// </summary>
internal interface ISpanSpanScalarOperator
{
    /// <summary>f on one vector (or one lane).</summary>
    static abstract V Invoke<V>(V x, V y, V s)
        where V : struct, ILaneVector<V>;
}


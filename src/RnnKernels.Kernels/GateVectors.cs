using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>
/// The arithmetic the fused gate kernels need, over one vector width, so each kernel is written once
/// (<see cref="GatedCells"/>) and the JIT specialises it per struct: <see cref="Lanes16"/> (AVX-512),
/// <see cref="Lanes8"/> (AVX2), <see cref="Lanes4"/> (NEON and portable 128-bit) and <see cref="Lanes1"/> (the scalar
/// reference, also the tail of the wider ones). Sigmoid and tanh are the activation operators' own.
/// </summary>
internal interface IGateVector<TSelf>
    where TSelf : struct, IGateVector<TSelf>
{
    static abstract int Count { get; }

    static abstract TSelf Load(ref float source, nint offset);

    static abstract void Store(TSelf value, ref float target, nint offset);

    static abstract TSelf One { get; }

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf Sigmoid(TSelf x);

    static abstract TSelf Tanh(TSelf x);

    /// <summary>dy * y * (1 - y): <see cref="SigmoidBackwardOperator"/>.</summary>
    static abstract TSelf SigmoidBackward(TSelf y, TSelf dy);

    /// <summary>dy * (1 - y^2): <see cref="TanhBackwardOperator"/>.</summary>
    static abstract TSelf TanhBackward(TSelf y, TSelf dy);
}

/// <summary>Sixteen lanes (AVX-512).</summary>
internal readonly struct Lanes16(Vector512<float> v) : IGateVector<Lanes16>
{
    private readonly Vector512<float> _v = v;

    public static int Count => Vector512<float>.Count;

    public static Lanes16 One => new(Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Load(ref float source, nint offset) => new(Vector512.LoadUnsafe(ref source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes16 value, ref float target, nint offset) => value._v.StoreUnsafe(ref target, (nuint)offset);

    public static Lanes16 operator +(Lanes16 a, Lanes16 b) => new(a._v + b._v);

    public static Lanes16 operator -(Lanes16 a, Lanes16 b) => new(a._v - b._v);

    public static Lanes16 operator *(Lanes16 a, Lanes16 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Sigmoid(Lanes16 x) => new(SigmoidOperator.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Tanh(Lanes16 x) => new(TanhOperator.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 SigmoidBackward(Lanes16 y, Lanes16 dy) => new(SigmoidBackwardOperator.Invoke(y._v, dy._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 TanhBackward(Lanes16 y, Lanes16 dy) => new(TanhBackwardOperator.Invoke(y._v, dy._v));
}

/// <summary>Eight lanes (AVX2).</summary>
internal readonly struct Lanes8(Vector256<float> v) : IGateVector<Lanes8>
{
    private readonly Vector256<float> _v = v;

    public static int Count => Vector256<float>.Count;

    public static Lanes8 One => new(Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Load(ref float source, nint offset) => new(Vector256.LoadUnsafe(ref source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes8 value, ref float target, nint offset) => value._v.StoreUnsafe(ref target, (nuint)offset);

    public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a._v + b._v);

    public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a._v - b._v);

    public static Lanes8 operator *(Lanes8 a, Lanes8 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Sigmoid(Lanes8 x) => new(SigmoidOperator.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Tanh(Lanes8 x) => new(TanhOperator.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 SigmoidBackward(Lanes8 y, Lanes8 dy) => new(SigmoidBackwardOperator.Invoke(y._v, dy._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 TanhBackward(Lanes8 y, Lanes8 dy) => new(TanhBackwardOperator.Invoke(y._v, dy._v));
}

/// <summary>Four lanes (NEON, and the portable 128-bit path).</summary>
internal readonly struct Lanes4(Vector128<float> v) : IGateVector<Lanes4>
{
    private readonly Vector128<float> _v = v;

    public static int Count => Vector128<float>.Count;

    public static Lanes4 One => new(Vector128<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Load(ref float source, nint offset) => new(Vector128.LoadUnsafe(ref source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes4 value, ref float target, nint offset) => value._v.StoreUnsafe(ref target, (nuint)offset);

    public static Lanes4 operator +(Lanes4 a, Lanes4 b) => new(a._v + b._v);

    public static Lanes4 operator -(Lanes4 a, Lanes4 b) => new(a._v - b._v);

    public static Lanes4 operator *(Lanes4 a, Lanes4 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Sigmoid(Lanes4 x) => new(SigmoidOperator.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Tanh(Lanes4 x) => new(TanhOperator.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 SigmoidBackward(Lanes4 y, Lanes4 dy) => new(SigmoidBackwardOperator.Invoke(y._v, dy._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 TanhBackward(Lanes4 y, Lanes4 dy) => new(TanhBackwardOperator.Invoke(y._v, dy._v));
}

/// <summary>One lane: the scalar reference operators.</summary>
internal readonly struct Lanes1(float v) : IGateVector<Lanes1>
{
    private readonly float _v = v;

    public static int Count => 1;

    public static Lanes1 One => new(1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Load(ref float source, nint offset) => new(Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes1 value, ref float target, nint offset) => Unsafe.Add(ref target, offset) = value._v;

    public static Lanes1 operator +(Lanes1 a, Lanes1 b) => new(a._v + b._v);

    public static Lanes1 operator -(Lanes1 a, Lanes1 b) => new(a._v - b._v);

    public static Lanes1 operator *(Lanes1 a, Lanes1 b) => new(a._v * b._v);

    public static Lanes1 Sigmoid(Lanes1 x) => new(SigmoidOperator.Invoke(x._v));

    public static Lanes1 Tanh(Lanes1 x) => new(TanhOperator.Invoke(x._v));

    public static Lanes1 SigmoidBackward(Lanes1 y, Lanes1 dy) => new(SigmoidBackwardOperator.Invoke(y._v, dy._v));

    public static Lanes1 TanhBackward(Lanes1 y, Lanes1 dy) => new(TanhBackwardOperator.Invoke(y._v, dy._v));
}

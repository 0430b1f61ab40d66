using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// The arithmetic the fused gate kernels and the matrix-vector products need, over one vector width, so each kernel
/// is written once (<see cref="GatedCells"/>, <see cref="Gemv"/>) and the JIT specialises it per struct:
/// <see cref="Lanes16"/> (AVX-512),
/// <see cref="Lanes8"/> (AVX2), <see cref="Lanes4"/> (NEON and portable 128-bit) and <see cref="Lanes1"/> (the scalar
/// reference, also the tail of the wider ones). Every elementwise operator applies at each width (<c>Apply</c>), so the
/// driver's loops are written once too (<see cref="ElementwiseDriver"/>).
/// </summary>
internal interface ILaneVector<TSelf>
    where TSelf : struct, ILaneVector<TSelf>
{
    static abstract int Count { get; }

    static abstract TSelf Load(ref float source, nint offset);

    /// <summary>Loads from a pointer: kernels on pinned memory keep native pointers, which stay in registers.</summary>
    static abstract unsafe TSelf Load(float* source);

    /// <summary>Stores to a pointer.</summary>
    static abstract unsafe void Store(TSelf value, float* target);

    static abstract void Store(TSelf value, ref float target, nint offset);

    static abstract TSelf One { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Broadcast(float value);

    /// <summary>a * b + c, fused where the tier has FMA (<see cref="Simd"/>).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TSelf value);

    /// <summary>The lane sums of four vectors at once, [sum(a), sum(b), sum(c), sum(d)]: pairwise adds instead of four
    /// separate reductions (a matrix-vector product ends every four rows with one).</summary>
    static abstract Vector128<float> SumEach(TSelf a, TSelf b, TSelf c, TSelf d);

    /// <summary>The larger of a and b lane by lane; NaN where either is NaN (IEEE 754:2019 maximum).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>The largest lane, by halving in registers; NaN if any lane is NaN.</summary>
    static abstract float MaxAcross(TSelf value);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>a / b lane by lane, correctly rounded (IEEE 754) on every width.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>The square root lane by lane, correctly rounded (IEEE 754) on every width.</summary>
    static abstract TSelf Sqrt(TSelf x);

    /// <summary>An elementwise operator on every lane, in the operator's form for this width.</summary>
    static abstract TSelf Apply<TOp>(TSelf x)
        where TOp : IUnaryOperator;

    /// <summary>An elementwise operator of two operands on every lane, in the operator's form for this width.</summary>
    static abstract TSelf Apply<TOp>(TSelf x, TSelf y)
        where TOp : IBinaryOperator;

    /// <summary><see cref="SigmoidOperator"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TSelf Sigmoid(TSelf x) => TSelf.Apply<SigmoidOperator>(x);

    /// <summary><see cref="TanhOperator"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TSelf Tanh(TSelf x) => TSelf.Apply<TanhOperator>(x);

    /// <summary>dy * y * (1 - y): <see cref="SigmoidBackwardOperator"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TSelf SigmoidBackward(TSelf y, TSelf dy) => TSelf.Apply<SigmoidBackwardOperator>(y, dy);

    /// <summary>dy * (1 - y^2): <see cref="TanhBackwardOperator"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static virtual TSelf TanhBackward(TSelf y, TSelf dy) => TSelf.Apply<TanhBackwardOperator>(y, dy);
}

/// <summary>Sixteen lanes (AVX-512).</summary>
internal readonly struct Lanes16(Vector512<float> v) : ILaneVector<Lanes16>
{
    private readonly Vector512<float> _v = v;

    public static int Count => Vector512<float>.Count;

    public static Lanes16 One => new(Vector512<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Load(ref float source, nint offset) => new(Vector512.LoadUnsafe(ref source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes16 value, ref float target, nint offset) => value._v.StoreUnsafe(ref target, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes16 Load(float* source) => new(Vector512.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Lanes16 value, float* target) => value._v.Store(target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Broadcast(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 MultiplyAdd(Lanes16 a, Lanes16 b, Lanes16 c) => new(Simd.MultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Lanes16 value) => Vector512.Sum(value._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Lanes16 a, Lanes16 b, Lanes16 c, Lanes16 d) =>
        Lanes8.SumEach(Half(a._v), Half(b._v), Half(c._v), Half(d._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Max(Lanes16 a, Lanes16 b) => new(Vector512.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Lanes16 value) => Lanes8.MaxAcross(new Lanes8(Vector256.Max(value._v.GetLower(), value._v.GetUpper())));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator +(Lanes16 a, Lanes16 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator -(Lanes16 a, Lanes16 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator *(Lanes16 a, Lanes16 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 operator /(Lanes16 a, Lanes16 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Sqrt(Lanes16 x) => new(Vector512.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Apply<TOp>(Lanes16 x)
        where TOp : IUnaryOperator => new(TOp.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 Apply<TOp>(Lanes16 x, Lanes16 y)
        where TOp : IBinaryOperator => new(TOp.Invoke(x._v, y._v));

    /// <summary>The two halves of a vector added: eight lanes whose sums are the sixteen's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Lanes8 Half(Vector512<float> v) => new(v.GetLower() + v.GetUpper());
}

/// <summary>Eight lanes (AVX2).</summary>
internal readonly struct Lanes8(Vector256<float> v) : ILaneVector<Lanes8>
{
    private readonly Vector256<float> _v = v;

    public static int Count => Vector256<float>.Count;

    public static Lanes8 One => new(Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Load(ref float source, nint offset) => new(Vector256.LoadUnsafe(ref source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes8 value, ref float target, nint offset) => value._v.StoreUnsafe(ref target, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes8 Load(float* source) => new(Vector256.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Lanes8 value, float* target) => value._v.Store(target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Broadcast(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 MultiplyAdd(Lanes8 a, Lanes8 b, Lanes8 c) => new(Simd.MultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Lanes8 value) => Vector256.Sum(value._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Lanes8 a, Lanes8 b, Lanes8 c, Lanes8 d)
    {
        if (!Avx.IsSupported)
        {
            return Vector128.Create(Sum(a), Sum(b), Sum(c), Sum(d));
        }

        // [a01 a23 b01 b23 | a45 a67 b45 b67], likewise c and d, then [a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7].
        Vector256<float> sums = Avx.HorizontalAdd(Avx.HorizontalAdd(a._v, b._v), Avx.HorizontalAdd(c._v, d._v));
        return sums.GetLower() + sums.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Max(Lanes8 a, Lanes8 b) => new(Vector256.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Lanes8 value) => Lanes4.MaxAcross(new Lanes4(Vector128.Max(value._v.GetLower(), value._v.GetUpper())));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator *(Lanes8 a, Lanes8 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator /(Lanes8 a, Lanes8 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Sqrt(Lanes8 x) => new(Vector256.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Apply<TOp>(Lanes8 x)
        where TOp : IUnaryOperator => new(TOp.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Apply<TOp>(Lanes8 x, Lanes8 y)
        where TOp : IBinaryOperator => new(TOp.Invoke(x._v, y._v));
}

/// <summary>Four lanes (NEON, and the portable 128-bit tier).</summary>
internal readonly struct Lanes4(Vector128<float> v) : ILaneVector<Lanes4>
{
    private readonly Vector128<float> _v = v;

    public static int Count => Vector128<float>.Count;

    public static Lanes4 One => new(Vector128<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Load(ref float source, nint offset) => new(Vector128.LoadUnsafe(ref source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes4 value, ref float target, nint offset) => value._v.StoreUnsafe(ref target, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes4 Load(float* source) => new(Vector128.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Lanes4 value, float* target) => value._v.Store(target);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Broadcast(float value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 MultiplyAdd(Lanes4 a, Lanes4 b, Lanes4 c) => new(Simd.MultiplyAdd(a._v, b._v, c._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Lanes4 value) => Vector128.Sum(value._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Lanes4 a, Lanes4 b, Lanes4 c, Lanes4 d)
    {
        if (Sse3.IsSupported)
        {
            return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a._v, b._v), Sse3.HorizontalAdd(c._v, d._v));
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a._v, b._v), AdvSimd.Arm64.AddPairwise(c._v, d._v));
        }

        return Vector128.Create(Sum(a), Sum(b), Sum(c), Sum(d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Max(Lanes4 a, Lanes4 b) => new(Vector128.Max(a._v, b._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Lanes4 value)
    {
        Vector128<float> v = Vector128.Max(value._v, Vector128.Shuffle(value._v, Vector128.Create(2, 3, 0, 1)));
        return Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator +(Lanes4 a, Lanes4 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator -(Lanes4 a, Lanes4 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator *(Lanes4 a, Lanes4 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator /(Lanes4 a, Lanes4 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Sqrt(Lanes4 x) => new(Vector128.Sqrt(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Apply<TOp>(Lanes4 x)
        where TOp : IUnaryOperator => new(TOp.Invoke(x._v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Apply<TOp>(Lanes4 x, Lanes4 y)
        where TOp : IBinaryOperator => new(TOp.Invoke(x._v, y._v));
}

/// <summary>One lane: the scalar reference operators.</summary>
internal readonly struct Lanes1(float v) : ILaneVector<Lanes1>
{
    private readonly float _v = v;

    public static int Count => 1;

    public static Lanes1 One => new(1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Load(ref float source, nint offset) => new(Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes1 value, ref float target, nint offset) => Unsafe.Add(ref target, offset) = value._v;

    public static unsafe Lanes1 Load(float* source) => new(*source);

    public static unsafe void Store(Lanes1 value, float* target) => *target = value._v;

    public static Lanes1 Broadcast(float value) => new(value);

    public static Lanes1 MultiplyAdd(Lanes1 a, Lanes1 b, Lanes1 c) => new((a._v * b._v) + c._v);

    public static float Sum(Lanes1 value) => value._v;

    public static Vector128<float> SumEach(Lanes1 a, Lanes1 b, Lanes1 c, Lanes1 d) => Vector128.Create(a._v, b._v, c._v, d._v);

    public static Lanes1 Max(Lanes1 a, Lanes1 b) => new(Math.Max(a._v, b._v));

    public static float MaxAcross(Lanes1 value) => value._v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator +(Lanes1 a, Lanes1 b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator -(Lanes1 a, Lanes1 b) => new(a._v - b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator *(Lanes1 a, Lanes1 b) => new(a._v * b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator /(Lanes1 a, Lanes1 b) => new(a._v / b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Sqrt(Lanes1 x) => new(MathF.Sqrt(x._v));

    public static Lanes1 Apply<TOp>(Lanes1 x)
        where TOp : IUnaryOperator => new(TOp.Invoke(x._v));

    public static Lanes1 Apply<TOp>(Lanes1 x, Lanes1 y)
        where TOp : IBinaryOperator => new(TOp.Invoke(x._v, y._v));
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnKernels.Kernels;

/// <summary>
/// tanh in single precision, within 4 ulp of the correctly rounded result for every float (checked by a sweep).
/// </summary>
/// <remarks>
/// Evaluated on |x| and given x's sign back, so odd symmetry is exact and tanh(-0) = -0.
/// <list type="bullet">
/// <item>|x| &lt; 0.3: tanh(x) = x + x^3 P(x^2), P of degree 2 (relative error 1.3e-8), so small pre-activations,
/// where RNNs spend their time, keep full relative precision down to subnormals.</item>
/// <item>otherwise: 1 - 2 / (e^{2|x|} + 1) with |x| clamped at 9.5, past which tanh rounds to 1; the result is never
/// above 1 because the subtracted term is positive. e^{2|x|} = 2^t with t = 2 log2(e) |x| split as n + f, |f| &lt;= 1/2,
/// and 2^f a degree-6 minimax polynomial (relative error 2e-8). The product rounding in t costs e^{2|x|} up to
/// 6e-8 t relative, but the derivative of 2/(e+1) damps it below 0.3 ulp of tanh, so no Cody-Waite split is needed.
/// The subtraction cancels most just above 0.3 (3 ulp worst there, exhaustively, on every vector tier); a higher
/// threshold would cost the small branch two more multiply-adds, and a degree-5 2^f reaches 4 ulp.</item>
/// </list>
/// The kernel is bound by the two FMA pipes (two independent polynomial chains per vector, no loop-carried
/// dependency), so every multiply removed is time saved: no exp range clamps (t is in [0, 27.5] by construction), on
/// AVX-512 the scale by 2^n is one vscalefps, and NaN needs no blend: the clamp keeps it, so it flows through the
/// large branch (the small-branch test is false for NaN) and comes out NaN. +-Inf give +-1.
/// </remarks>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float SmallLimit = 0.3f;
    private const float Saturate = 9.5f;
    private const float TwoLog2E = 2.88539008f;

    // tanh(x) = x + x^3 (P0 + P1 x^2 + P2 x^4) on [0, 0.3] (Lawson-weighted minimax of the relative error, 1.3e-8).
    private const float P0 = -0.33333060145378113f;
    private const float P1 = 0.13314832746982574f;
    private const float P2 = -0.050366293638944626f;

    // 2^f = 1 + E1 f + ... + E6 f^6 on [-1/2, 1/2] (Lawson-weighted minimax of the relative error).
    private const float E1 = 0.6931471824645996f;
    private const float E2 = 0.24022647738456726f;
    private const float E3 = 0.055503323674201965f;
    private const float E4 = 0.009618437848985195f;
    private const float E5 = 0.0013398872688412666f;
    private const float E6 = 0.00015353341586887836f;

    public static float Invoke(float x) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> ax = Vector512.Abs(x);
        Vector512<float> s = ax * ax;
        Vector512<float> p = Simd.MultiplyAdd(Vector512.Create(P2), s, Vector512.Create(P1));
        p = Simd.MultiplyAdd(p, s, Vector512.Create(P0));
        Vector512<float> small = Simd.MultiplyAdd(ax * s, p, ax);

        Vector512<float> t = Simd.MinKeepNaN(Vector512.Create(Saturate), ax) * Vector512.Create(TwoLog2E);
        Vector512<float> n = Vector512.Round(t);
        Vector512<float> q = Exp2Fraction(t - n);
        Vector512<float> e = Avx512F.IsSupported ? Avx512F.Scale(q, n) : q * ((Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23).AsSingle();
        Vector512<float> large = Vector512<float>.One - (Vector512.Create(2f) / (e + Vector512<float>.One));

        Vector512<float> magnitude = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(SmallLimit)), small, large);
        return magnitude | (x & Vector512.Create(-0f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Abs(x);
        Vector256<float> s = ax * ax;
        Vector256<float> p = Simd.MultiplyAdd(Vector256.Create(P2), s, Vector256.Create(P1));
        p = Simd.MultiplyAdd(p, s, Vector256.Create(P0));
        Vector256<float> small = Simd.MultiplyAdd(ax * s, p, ax);

        Vector256<float> t = Simd.MinKeepNaN(Vector256.Create(Saturate), ax) * Vector256.Create(TwoLog2E);
        Vector256<float> n = Simd.RoundWithScale(t, out Vector256<float> scale);
        Vector256<float> e = Exp2Fraction(t - n) * scale;
        Vector256<float> large = Vector256<float>.One - (Vector256.Create(2f) / (e + Vector256<float>.One));

        Vector256<float> magnitude = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(SmallLimit)), small, large);
        return magnitude | (x & Vector256.Create(-0f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> ax = Vector128.Abs(x);
        Vector128<float> s = ax * ax;
        Vector128<float> p = Simd.MultiplyAdd(Vector128.Create(P2), s, Vector128.Create(P1));
        p = Simd.MultiplyAdd(p, s, Vector128.Create(P0));
        Vector128<float> small = Simd.MultiplyAdd(ax * s, p, ax);

        Vector128<float> t = Simd.MinKeepNaN(Vector128.Create(Saturate), ax) * Vector128.Create(TwoLog2E);
        Vector128<float> n = Simd.RoundWithScale(t, out Vector128<float> scale);
        Vector128<float> e = Exp2Fraction(t - n) * scale;
        Vector128<float> large = Vector128<float>.One - (Vector128.Create(2f) / (e + Vector128<float>.One));

        Vector128<float> magnitude = Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(SmallLimit)), small, large);
        return magnitude | (x & Vector128.Create(-0f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp2Fraction(Vector512<float> f)
    {
        Vector512<float> q = Simd.MultiplyAdd(Vector512.Create(E6), f, Vector512.Create(E5));
        q = Simd.MultiplyAdd(q, f, Vector512.Create(E4));
        q = Simd.MultiplyAdd(q, f, Vector512.Create(E3));
        q = Simd.MultiplyAdd(q, f, Vector512.Create(E2));
        q = Simd.MultiplyAdd(q, f, Vector512.Create(E1));
        return Simd.MultiplyAdd(q, f, Vector512<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp2Fraction(Vector256<float> f)
    {
        Vector256<float> q = Simd.MultiplyAdd(Vector256.Create(E6), f, Vector256.Create(E5));
        q = Simd.MultiplyAdd(q, f, Vector256.Create(E4));
        q = Simd.MultiplyAdd(q, f, Vector256.Create(E3));
        q = Simd.MultiplyAdd(q, f, Vector256.Create(E2));
        q = Simd.MultiplyAdd(q, f, Vector256.Create(E1));
        return Simd.MultiplyAdd(q, f, Vector256<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Exp2Fraction(Vector128<float> f)
    {
        Vector128<float> q = Simd.MultiplyAdd(Vector128.Create(E6), f, Vector128.Create(E5));
        q = Simd.MultiplyAdd(q, f, Vector128.Create(E4));
        q = Simd.MultiplyAdd(q, f, Vector128.Create(E3));
        q = Simd.MultiplyAdd(q, f, Vector128.Create(E2));
        q = Simd.MultiplyAdd(q, f, Vector128.Create(E1));
        return Simd.MultiplyAdd(q, f, Vector128<float>.One);
    }
}

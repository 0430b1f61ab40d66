using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>
/// tanh in single precision, within 4 ulp of the correctly rounded result for every float (checked by a sweep).
/// </summary>
/// <remarks>
/// Evaluated on |x| and given x's sign back, so odd symmetry is exact and tanh(-0) = -0.
/// <list type="bullet">
/// <item>|x| &lt; 0.625: tanh(x) = x + x^3 P(x^2), P a degree-4 least-squares fit (relative error 5e-9), so small
/// pre-activations, where RNNs spend their time, keep full relative precision down to subnormals.</item>
/// <item>otherwise: 1 - 2 / (e^{2|x|} + 1) with |x| clamped at 9.5, past which tanh rounds to 1; the result is never
/// above 1 because the subtracted term is positive.</item>
/// </list>
/// NaN is returned unchanged; +-Inf give +-1.
/// </remarks>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float SmallLimit = 0.625f;
    private const float Saturate = 9.5f;
    private const float P0 = -3.333328664e-01f;
    private const float P1 = 1.333156079e-01f;
    private const float P2 = -5.374844372e-02f;
    private const float P3 = 2.066472359e-02f;
    private const float P4 = -5.731194746e-03f;

    public static float Invoke(float x) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Abs(x);
        Vector256<float> s = ax * ax;
        Vector256<float> p = Simd.MultiplyAdd(Vector256.Create(P4), s, Vector256.Create(P3));
        p = Simd.MultiplyAdd(p, s, Vector256.Create(P2));
        p = Simd.MultiplyAdd(p, s, Vector256.Create(P1));
        p = Simd.MultiplyAdd(p, s, Vector256.Create(P0));
        Vector256<float> small = Simd.MultiplyAdd(ax * s, p, ax);

        Vector256<float> e = ExpOperator.Invoke(Vector256.MinNative(ax, Vector256.Create(Saturate)) * Vector256.Create(2f));
        Vector256<float> large = Vector256<float>.One - (Vector256.Create(2f) / (e + Vector256<float>.One));

        Vector256<float> magnitude = Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(SmallLimit)), small, large);
        Vector256<float> result = magnitude | (x & Vector256.Create(-0f));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> ax = Vector512.Abs(x);
        Vector512<float> s = ax * ax;
        Vector512<float> p = Simd.MultiplyAdd(Vector512.Create(P4), s, Vector512.Create(P3));
        p = Simd.MultiplyAdd(p, s, Vector512.Create(P2));
        p = Simd.MultiplyAdd(p, s, Vector512.Create(P1));
        p = Simd.MultiplyAdd(p, s, Vector512.Create(P0));
        Vector512<float> small = Simd.MultiplyAdd(ax * s, p, ax);

        Vector512<float> e = ExpOperator.Invoke(Vector512.MinNative(ax, Vector512.Create(Saturate)) * Vector512.Create(2f));
        Vector512<float> large = Vector512<float>.One - (Vector512.Create(2f) / (e + Vector512<float>.One));

        Vector512<float> magnitude = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(SmallLimit)), small, large);
        Vector512<float> result = magnitude | (x & Vector512.Create(-0f));
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> ax = Vector128.Abs(x);
        Vector128<float> s = ax * ax;
        Vector128<float> p = Simd.MultiplyAdd(Vector128.Create(P4), s, Vector128.Create(P3));
        p = Simd.MultiplyAdd(p, s, Vector128.Create(P2));
        p = Simd.MultiplyAdd(p, s, Vector128.Create(P1));
        p = Simd.MultiplyAdd(p, s, Vector128.Create(P0));
        Vector128<float> small = Simd.MultiplyAdd(ax * s, p, ax);

        Vector128<float> e = ExpOperator.Invoke(Vector128.MinNative(ax, Vector128.Create(Saturate)) * Vector128.Create(2f));
        Vector128<float> large = Vector128<float>.One - (Vector128.Create(2f) / (e + Vector128<float>.One));

        Vector128<float> magnitude = Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(SmallLimit)), small, large);
        Vector128<float> result = magnitude | (x & Vector128.Create(-0f));
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
    }
}

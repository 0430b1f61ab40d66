using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>
/// sigmoid(x) = 1 / (1 + e^-x) in single precision, within 4 ulp of the correctly rounded result wherever that is a
/// normal float (checked by a sweep of all floats), with exact saturation: +Inf and x &gt;= 17 give 1.
/// </summary>
/// <remarks>
/// e^-x comes from <see cref="ExpOperator"/> (1-2 ulp); for x &gt;= 0 the error of e^-x &lt;= 1 is damped by the
/// derivative of 1/(1 + e), for x &lt; 0 it passes into the result whole, plus half an ulp each for the sum and the
/// division: 3 ulp at worst. Below -126 ln 2 = -87.34 the result would be subnormal (below 2^-126): it is flushed to
/// +0, which is also what -Inf gives, so long gate saturations never feed subnormals into the next steps (the
/// slow-arithmetic trap of decaying recurrences). NaN propagates (the exp clamp would lose it, so it is put back).
/// </remarks>
internal readonly struct SigmoidOperator : IUnaryOperator
{
    /// <summary>-126 ln 2: below this the result is subnormal; it is flushed to zero.</summary>
    private const float Underflow = -87.3365448f;

    public static float Invoke(float x) => x < Underflow ? 0f : 1f / (1f + MathF.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> s = Vector256<float>.One / (Vector256<float>.One + ExpOperator.Invoke(-x));
        s = Vector256.AndNot(s, Vector256.LessThan(x, Vector256.Create(Underflow)));
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), s, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> s = Vector512<float>.One / (Vector512<float>.One + ExpOperator.Invoke(-x));
        s = Vector512.AndNot(s, Vector512.LessThan(x, Vector512.Create(Underflow)));
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), s, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        Vector128<float> s = Vector128<float>.One / (Vector128<float>.One + ExpOperator.Invoke(-x));
        s = Vector128.AndNot(s, Vector128.LessThan(x, Vector128.Create(Underflow)));
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), s, x);
    }
}

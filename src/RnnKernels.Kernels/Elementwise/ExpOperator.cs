using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnKernels.Kernels;

/// <summary>
/// exp(x) in single precision for x in [-87.3, 88.3] (inputs outside are clamped; NaN is not handled here):
/// Cody-Waite reduction x = n ln2 + r with |r| &lt;= ln2/2, a degree-7 Taylor polynomial for e^r (truncation error
/// below 6e-9 relative), and 2^n built in the exponent field. About 1-2 ulp.
/// </summary>
internal readonly struct ExpOperator : IUnaryOperator
{
    private const float Log2E = 1.44269502f;
    private const float Ln2Hi = 0.693145752f; // Trailing zero bits: n * Ln2Hi is exact for |n| < 2^8.
    private const float Ln2Lo = 1.42860677e-6f;
    private const float Lo = -87.3f; // 2^-126 is the smallest normal scale the exponent trick can build.
    private const float Hi = 88.3f;

    // 1/k! for k = 7..2: e^r = 1 + r + r^2 (1/2 + r (1/6 + ...)).
    private const float C7 = 1.98412701e-4f;
    private const float C6 = 1.38888892e-3f;
    private const float C5 = 8.33333377e-3f;
    private const float C4 = 4.16666679e-2f;
    private const float C3 = 1.66666672e-1f;
    private const float C2 = 0.5f;

    /// <summary>Scalar form of the same algorithm.</summary>
    public static float Invoke(float x) => MathF.Exp(Math.Clamp(x, Lo, Hi));

    /// <summary>exp of eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        x = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(Lo)), Vector256.Create(Hi));
        Vector256<float> n = Simd.RoundWithScale(x * Vector256.Create(Log2E), out Vector256<float> scale);
        Vector256<float> r = Simd.MultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Simd.MultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> p = Simd.MultiplyAdd(Vector256.Create(C7), r, Vector256.Create(C6));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(C5));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(C4));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(C3));
        p = Simd.MultiplyAdd(p, r, Vector256.Create(C2));
        p = Simd.MultiplyAdd(p, r * r, r + Vector256<float>.One);
        return p * scale;
    }

    /// <summary>exp of sixteen lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        x = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(Lo)), Vector512.Create(Hi));
        Vector512<float> n = Simd.RoundWithScale(x * Vector512.Create(Log2E), out Vector512<float> scale);
        Vector512<float> r = Simd.MultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Simd.MultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        Vector512<float> p = Simd.MultiplyAdd(Vector512.Create(C7), r, Vector512.Create(C6));
        p = Simd.MultiplyAdd(p, r, Vector512.Create(C5));
        p = Simd.MultiplyAdd(p, r, Vector512.Create(C4));
        p = Simd.MultiplyAdd(p, r, Vector512.Create(C3));
        p = Simd.MultiplyAdd(p, r, Vector512.Create(C2));
        p = Simd.MultiplyAdd(p, r * r, r + Vector512<float>.One);
        return p * scale;
    }

    /// <summary>exp of four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        x = Vector128.MinNative(Vector128.MaxNative(x, Vector128.Create(Lo)), Vector128.Create(Hi));
        Vector128<float> n = Simd.RoundWithScale(x * Vector128.Create(Log2E), out Vector128<float> scale);
        Vector128<float> r = Simd.MultiplyAdd(n, Vector128.Create(-Ln2Hi), x);
        r = Simd.MultiplyAdd(n, Vector128.Create(-Ln2Lo), r);
        Vector128<float> p = Simd.MultiplyAdd(Vector128.Create(C7), r, Vector128.Create(C6));
        p = Simd.MultiplyAdd(p, r, Vector128.Create(C5));
        p = Simd.MultiplyAdd(p, r, Vector128.Create(C4));
        p = Simd.MultiplyAdd(p, r, Vector128.Create(C3));
        p = Simd.MultiplyAdd(p, r, Vector128.Create(C2));
        p = Simd.MultiplyAdd(p, r * r, r + Vector128<float>.One);
        return p * scale;
    }
}

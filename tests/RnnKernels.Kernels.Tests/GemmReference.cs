using RnnKernels.Kernels;

namespace RnnKernels.Kernels.Tests;

/// <summary>Triple-loop GEMM in double precision: the oracle, plus the error bound each element is held to.</summary>
internal static class GemmReference
{
    /// <summary>Returns the exact-ish C (double) and, per element, sum_p |alpha a b| + |beta c0| for the tolerance.</summary>
    public static (double[] Value, double[] Magnitude) Compute(
        Transpose ta, Transpose tb, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c0, int ldc)
    {
        var value = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = ta == Transpose.No ? a[(i * lda) + p] : a[(p * lda) + i];
                    double bv = tb == Transpose.No ? b[(p * ldb) + j] : b[(j * ldb) + p];
                    s += av * bv;
                    abs += Math.Abs(av * bv);
                }

                double old = beta == 0f ? 0 : beta * (double)c0[(i * ldc) + j];
                value[(i * n) + j] = (alpha * s) + old;
                magnitude[(i * n) + j] = (Math.Abs(alpha) * abs) + Math.Abs(old);
            }
        }

        return (value, magnitude);
    }

    /// <summary>
    /// Float error bound for a k-term dot product, scaled by the magnitude of the terms: gamma_(k+2) with unit
    /// roundoff 2^-24, doubled for the alpha/beta update. Real errors are far smaller; this is a bound, not a fudge.
    /// </summary>
    public static double Tolerance(int k, double magnitude) => (2.0 * (k + 4) * Math.Pow(2, -24) * magnitude) + 1e-30;
}

using System.Runtime.InteropServices;

namespace RnnKernels.Benchmarks;

/// <summary>The peer GEMM: OpenBLAS's cblas_sgemm from Debian's libopenblas-dev, pinned to one thread.</summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    public static bool IsAvailable => NativeLibrary.TryLoad(Library, out _);

    public static void SetThreads(int threads) => openblas_set_num_threads(threads);

    public static void Sgemm(int m, int n, int k, float[] a, float[] b, float[] c) => Sgemm(m, n, k, a, b, transposeB: false, 0f, c);

    /// <summary>C = A op(B) + beta C, B stored k x n (or n x k when <paramref name="transposeB"/>).</summary>
    public static void Sgemm(int m, int n, int k, float[] a, float[] b, bool transposeB, float beta, float[] c)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            cblas_sgemm(RowMajor, NoTrans, transposeB ? Trans : NoTrans, m, n, k, 1f, pa, k, pb, transposeB ? k : n, beta, pc, n);
        }
    }

    [LibraryImport(Library)]
    private static partial void openblas_set_num_threads(int threads);

    [LibraryImport(Library)]
    private static partial void cblas_sgemm(
        int order, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);
}
